"""The copy of an accepted email in its sender's Sent folder, on a real Dovecot."""

import datetime

import pytest
from django.utils import timezone

from organisatrice.content_store import blob_read
from organisatrice.sentcopy.models import SentCopy
from organisatrice.sentcopy.services import sent_copy_mailbox_save
from organisatrice.sentcopy.tasks import sent_copy_attempt
from tests.emails.outgoing import Attachment, outgoing_email_create, pdf_like
from tests.factories import EmployeeFactory
from tests.servers.fixtures import ImapAccount

from .conftest import folder_messages, mailbox_for, reloaded

pytestmark = pytest.mark.django_db
Status = SentCopy.Status


def test_the_copy_is_the_archived_bytes_seen_and_dated_by_the_send(employee_with_copy, deliver):
    employee, account, _mailbox = employee_with_copy()
    email = outgoing_email_create(sender=employee, attachments=[Attachment("Rapport.pdf", pdf_like(seed=3))])
    deliver()

    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED

    [copy] = folder_messages(account, "Sent")
    assert copy["raw"] == blob_read(reloaded(email).raw_sha256)
    assert b"\\Seen" in copy["flags"]
    sent_at = reloaded(email).sent_at
    assert abs(copy["internal_date"].timestamp() - sent_at.timestamp()) < 1
    record = SentCopy.objects.get(email=email)
    assert (record.status, record.folder, record.error, record.attempts) == (Status.APPENDED, "Sent", "", 1)
    assert record.uid is not None and record.appended_at is not None


def test_no_copy_for_an_employee_without_the_copy_on(deliver, db):
    email = outgoing_email_create()
    deliver()
    assert not SentCopy.objects.filter(email=email).exists()


def test_a_wrong_password_fails_with_the_reason_and_no_retry(employee_with_copy, deliver, settings):
    employee, account, _mailbox = employee_with_copy()
    account.server.add_user(account.address, "a-new-password")
    email = outgoing_email_create(sender=employee)
    deliver()

    assert sent_copy_attempt(email_id=email.pk) == Status.FAILED

    record = SentCopy.objects.get(email=email)
    assert record.error == "Connexion refusée par le serveur IMAP : identifiant ou mot de passe incorrect."
    assert record.next_attempt_at is None


def test_a_folder_gone_fails_with_its_name(employee_with_copy, deliver):
    employee, _account, _mailbox = employee_with_copy(folder="Gesendete Objekte")
    email = outgoing_email_create(sender=employee)
    deliver()

    assert sent_copy_attempt(email_id=email.pk) == Status.FAILED

    assert "« Gesendete Objekte » n'existe pas" in SentCopy.objects.get(email=email).error


def test_server_down_then_back_retries_after_a_back_off(db, dovecot_factory, deliver, settings):
    settings.SENT_COPY_IMAP_TIMEOUT = 2.0
    server = dovecot_factory()
    server.add_user("anna@dupont-sa.ch", "secret")
    account = ImapAccount(server=server, address="anna@dupont-sa.ch", password="secret")
    employee = EmployeeFactory()
    mailbox_for(employee, account)
    email = outgoing_email_create(sender=employee)
    deliver()

    # Down: the attempt is postponed by the outbox's back-off, with the reason.
    assert sent_copy_attempt(email_id=email.pk) == Status.RETRY_WAIT
    record = SentCopy.objects.get(email=email)
    assert record.error.startswith(f"Serveur IMAP injoignable (127.0.0.1:{server.port}) : connexion refusée")
    assert record.next_attempt_at is not None and record.last_attempt_at is not None
    delay = record.next_attempt_at - record.last_attempt_at
    assert datetime.timedelta(seconds=settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS) <= delay
    # Counted from the failure (rounded up to the second), a moment after the attempt began.
    assert delay <= datetime.timedelta(seconds=settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS + 5)
    # Not due yet: nothing is tried.
    assert sent_copy_attempt(email_id=email.pk) == Status.RETRY_WAIT
    assert SentCopy.objects.get(email=email).attempts == 1

    server.start()
    SentCopy.objects.filter(email=email).update(next_attempt_at=record.last_attempt_at)
    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED

    assert [copy["raw"] for copy in folder_messages(account, "Sent")] == [blob_read(email.raw_sha256)]
    assert SentCopy.objects.get(email=email).attempts == 2


def test_an_unknown_folder_is_found_at_append_time(employee_with_copy, deliver):
    employee, _account, _mailbox = employee_with_copy(folder="")
    email = outgoing_email_create(sender=employee)
    deliver()

    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED
    assert SentCopy.objects.get(email=email).folder == "Sent"


def test_a_copy_is_not_appended_twice_when_already_there(employee_with_copy, deliver):
    # The second attempt of a copy looks for the Message-ID first (see test_crash for the kill).
    employee, account, _mailbox = employee_with_copy()
    email = outgoing_email_create(sender=employee)
    deliver()
    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED
    SentCopy.objects.filter(email=email).update(status=Status.RETRY_WAIT, next_attempt_at=None)

    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED

    assert len(folder_messages(account, "Sent")) == 1
    assert SentCopy.objects.get(email=email).uid is None


@pytest.mark.parametrize("folder", ["Gesendete Objekte", "Éléments envoyés"])
def test_a_folder_without_special_use_named_with_spaces_or_accents(db, dovecot_user, deliver, folder):
    account = dovecot_user(sent_special_use=False)
    account.server.create_folder(account.address, folder)
    employee = EmployeeFactory()
    mailbox_for(employee, account, folder="")  # found at append time, by its name
    email = outgoing_email_create(sender=employee)
    deliver()

    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED

    assert SentCopy.objects.get(email=email).folder == folder
    assert [copy["raw"] for copy in folder_messages(account, folder)] == [blob_read(email.raw_sha256)]


def test_saving_working_settings_tries_the_failed_copies_again(employee_with_copy, deliver):
    employee, account, _mailbox = employee_with_copy()
    account.server.add_user(account.address, "changed-on-the-server")
    email = outgoing_email_create(sender=employee)
    deliver()
    assert sent_copy_attempt(email_id=email.pk) == Status.FAILED

    sent_copy_mailbox_save(
        employee=employee,
        host=account.server.host,
        port=account.server.port,
        security="none",
        username=account.address,
        password="changed-on-the-server",
    )

    assert SentCopy.objects.get(email=email).status == Status.PENDING
    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED


def test_attempts_that_all_died_end_after_the_attempt_limit(employee_with_copy, deliver, settings):
    employee, account, _mailbox = employee_with_copy()
    email = outgoing_email_create(sender=employee)
    deliver()
    SentCopy.objects.filter(email=email).update(
        status=Status.APPENDING, attempts=settings.EMAIL_OUTBOX_MAX_ATTEMPTS, lease_expires_at=timezone.now()
    )

    assert sent_copy_attempt(email_id=email.pk) == Status.FAILED

    limit = settings.EMAIL_OUTBOX_MAX_ATTEMPTS
    assert SentCopy.objects.get(email=email).error == f"Abandon après {limit} essais ; le dernier a été interrompu."
    assert folder_messages(account, "Sent") == []


def test_a_refused_email_gets_no_copy(employee_with_copy, deliver, smtp_server):
    employee, _account, _mailbox = employee_with_copy()
    smtp_server.fail_next("550 5.7.1 Relaying denied")
    email = outgoing_email_create(sender=employee)
    deliver()

    assert reloaded(email).status == "failed"
    assert not SentCopy.objects.filter(email=email).exists()
