"""The Sent copy against a real Dovecot (tests/servers): accounts, mailboxes, sent emails."""

from collections.abc import Callable

import pytest
from imapclient import IMAPClient

from organisatrice.emails.models import OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due_emails
from organisatrice.people.models import Employee
from organisatrice.sentcopy.models import SentCopyMailbox
from organisatrice.vault import secret_encrypt
from tests.emails.conftest import smtp_server, smtp_settings  # noqa: F401
from tests.factories import EmployeeFactory
from tests.servers.fixtures import ImapAccount


def mailbox_for(employee: Employee, account: ImapAccount, *, folder: str = "Sent", **fields: object) -> SentCopyMailbox:
    return SentCopyMailbox.objects.create(
        employee=employee,
        host=account.server.host,
        port=account.server.port,
        security="none",
        username=account.address,
        password_encrypted=secret_encrypt(account.password),
        folder=folder,
        **fields,
    )


def settings_of(account: ImapAccount, **changes: object) -> dict[str, object]:
    """The mailbox settings an employee types for this account (page form, API body, service)."""
    return {
        "host": account.server.host,
        "port": account.server.port,
        "security": "none",
        "username": account.address,
        "password": account.password,
        **changes,
    }


def imap_login(account: ImapAccount) -> IMAPClient:
    client = IMAPClient(account.server.host, port=account.server.port, ssl=False, timeout=5)
    client.login(account.address, account.password)
    return client


def folder_messages(account: ImapAccount, folder: str) -> list[dict]:
    """Every message of the folder as Dovecot serves it: bytes, flags, internal date."""
    client = imap_login(account)
    try:
        client.select_folder(folder, readonly=True)
        fetched = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"])
        return [
            {"raw": data[b"BODY[]"], "flags": data[b"FLAGS"], "internal_date": data[b"INTERNALDATE"]}
            for _uid, data in sorted(fetched.items())
        ]
    finally:
        client.logout()


@pytest.fixture
def employee_with_copy(db, dovecot_user) -> Callable[..., tuple[Employee, ImapAccount, SentCopyMailbox]]:
    def make(**options: object) -> tuple[Employee, ImapAccount, SentCopyMailbox]:
        account = dovecot_user()
        employee = EmployeeFactory()
        return employee, account, mailbox_for(employee, account, **options)

    return make


@pytest.fixture
def deliver(smtp_settings, django_capture_on_commit_callbacks) -> Callable[[], None]:  # noqa: F811
    """Runs the outbox's task, with what its transactions ask on commit (the signal)."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            deliver_due_emails.call()

    return run


def reloaded(email: OutgoingEmail) -> OutgoingEmail:
    email.refresh_from_db()
    return email
