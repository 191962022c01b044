"""SMTP fixtures for the email tests: a real server in the test process, and settings pointing at it.

Ask for `smtp_server` and `smtp_settings` for plain SMTP, or `smtp_tls_server` and
`smtp_tls_settings` for a server that requires STARTTLS and a login. Messages for the
outbox are made with tests.emails.outgoing.outgoing_email_create.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smtp_server import Certificate, SmtpTestServer, self_signed_certificate

SMTP_LOGIN = ("relay-user", "s3cret-passw0rd")


@pytest.fixture(scope="session")
def smtp_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(Path(tmp_path_factory.mktemp("smtp-tls")))


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def smtp_settings(settings, smtp_server: SmtpTestServer):
    """EMAIL_* pointing at `smtp_server`, with a short timeout so a failing test fails fast."""
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5.0
    return settings


@pytest.fixture
def smtp_tls_server(smtp_certificate: Certificate) -> Iterator[SmtpTestServer]:
    """A server that requires STARTTLS, then a login, before it takes any mail."""
    with SmtpTestServer(certificate=smtp_certificate, credentials=SMTP_LOGIN) as server:
        yield server


@pytest.fixture
def smtp_tls_settings(settings, smtp_tls_server: SmtpTestServer, smtp_certificate: Certificate):
    settings.EMAIL_HOST = smtp_tls_server.host
    settings.EMAIL_PORT = smtp_tls_server.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = SMTP_LOGIN
    settings.EMAIL_USE_TLS = True
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5.0
    # The test certificate is self-signed: trust it, and only it, instead of the system's CAs.
    settings.EMAIL_SSL_CAFILE = str(smtp_certificate.cert)
    return settings
