"""The employee's mailbox settings: the connection test, the folder found, what is stored."""

import time

import pytest

from organisatrice.sentcopy.imap import Account
from organisatrice.sentcopy.models import SentCopyMailbox
from organisatrice.sentcopy.services import (
    SentCopyInvalid,
    sent_copy_connection_test,
    sent_copy_mailbox_remove,
    sent_copy_mailbox_save,
)
from organisatrice.vault import secret_decrypt
from tests.factories import EmployeeFactory
from tests.smtp_server import SilentServer

from .conftest import settings_of

pytestmark = pytest.mark.django_db


def account_of(imap_account, *, password=None) -> Account:
    server = imap_account.server
    return Account(
        host=server.host,
        port=server.port,
        security="none",
        username=imap_account.address,
        password=imap_account.password if password is None else password,
    )


def test_the_folder_flagged_sent_is_found(dovecot_user):
    account = dovecot_user()
    account.server.create_folder(account.address, "Gesendet")  # a usual name, but not flagged

    test = sent_copy_connection_test(account=account_of(account))

    assert test.ok
    assert test.found == "Sent"
    assert test.message == "Connexion réussie ; dossier des envoyés : « Sent »."


def test_a_german_folder_without_special_use_is_found_by_its_name(dovecot_user):
    account = dovecot_user(sent_special_use=False)
    account.server.create_folder(account.address, "Archiv")
    account.server.create_folder(account.address, "Gesendete Objekte")

    test = sent_copy_connection_test(account=account_of(account))

    assert test.found == "Gesendete Objekte"
    assert set(test.folders) == {"INBOX", "Archiv", "Gesendete Objekte"}


def test_a_french_accented_folder_name_travels_in_modified_utf7(dovecot_user):
    account = dovecot_user(sent_special_use=False)
    account.server.create_folder(account.address, "Éléments envoyés")

    assert sent_copy_connection_test(account=account_of(account)).found == "Éléments envoyés"


def test_no_sent_folder_says_so(dovecot_user):
    test = sent_copy_connection_test(account=account_of(dovecot_user(sent_special_use=False)))
    assert test.ok and test.found is None
    assert "aucun dossier des envoyés reconnu" in test.message


def test_a_wrong_password_is_said_and_nothing_is_stored(dovecot_user):
    account = dovecot_user()
    employee = EmployeeFactory()
    with pytest.raises(SentCopyInvalid, match="identifiant ou mot de passe incorrect"):
        sent_copy_mailbox_save(employee=employee, **settings_of(account, password="wrong"))
    assert not SentCopyMailbox.objects.exists()


def test_saved_settings_keep_the_password_encrypted_and_an_empty_one_unchanged(dovecot_user):
    account = dovecot_user()
    employee = EmployeeFactory()

    mailbox, test = sent_copy_mailbox_save(employee=employee, **settings_of(account))

    assert mailbox.folder == "Sent" and mailbox.enabled and mailbox.test_ok
    assert account.password not in mailbox.password_encrypted
    assert secret_decrypt(mailbox.password_encrypted) == account.password
    account.server.create_folder(account.address, "Copies")
    mailbox, test = sent_copy_mailbox_save(employee=employee, **settings_of(account, password="", folder="Copies"))
    assert mailbox.folder == "Copies"
    assert test.message == "Connexion réussie ; les copies iront dans « Copies »."
    assert secret_decrypt(mailbox.password_encrypted) == account.password


def test_a_chosen_folder_that_does_not_exist_is_refused(dovecot_user):
    account = dovecot_user()
    with pytest.raises(SentCopyInvalid, match="« Nulle part » n'existe pas") as refused:
        sent_copy_mailbox_save(employee=EmployeeFactory(), **settings_of(account, folder="Nulle part"))
    assert refused.value.field == "folder"


def test_remove_forgets_everything(dovecot_user):
    account = dovecot_user()
    employee = EmployeeFactory()
    sent_copy_mailbox_save(employee=employee, **settings_of(account))
    assert sent_copy_mailbox_remove(employee=employee)
    assert not SentCopyMailbox.objects.exists()
    assert not sent_copy_mailbox_remove(employee=employee)


def test_a_server_that_never_answers_costs_the_test_at_most_its_bound(settings, monkeypatch):
    # A hung server (or a host that swallows packets): the person waits a bounded time.
    monkeypatch.setattr("organisatrice.sentcopy.imap.INTERACTIVE_TIMEOUT", 0.5)
    with SilentServer() as silent:
        started = time.monotonic()
        account = Account(host=silent.host, port=silent.port, security="none", username="a", password="b")
        test = sent_copy_connection_test(account=account)
    assert time.monotonic() - started < 3
    assert not test.ok
    assert test.message == f"Serveur IMAP injoignable (127.0.0.1:{silent.port}) : pas de réponse à temps."
