"""The bounce mailbox for the delivery tests: a fresh account on the real Dovecot, and settings for it."""

from collections.abc import Callable
from urllib.parse import quote

import pytest
from imapclient import IMAPClient

from tests.servers.fixtures import ImapAccount


def mailbox_url(account: ImapAccount, *, password: str | None = None, port: int | None = None) -> str:
    user = quote(account.address, safe="")
    secret = quote(password if password is not None else account.password, safe="")
    return f"imap://{user}:{secret}@{account.server.host}:{port or account.server.port}/INBOX"


@pytest.fixture
def bounce_account(dovecot_user: Callable[..., ImapAccount]) -> ImapAccount:
    return dovecot_user()


@pytest.fixture
def bounce_settings(settings, bounce_account: ImapAccount):
    settings.EMAIL_BOUNCE_MAILBOX = mailbox_url(bounce_account)
    settings.EMAIL_BOUNCE_POLL_SECONDS = 60
    return settings


def imap(account: ImapAccount) -> IMAPClient:
    client = IMAPClient(account.server.host, port=account.server.port, ssl=False, timeout=10)
    client.login(account.address, account.password)
    return client
