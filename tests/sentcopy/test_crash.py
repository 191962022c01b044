"""A worker killed between the append and its record: the next attempt finds the copy by its
Message-ID and records it, without a second copy in the folder."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from organisatrice.content_store import blob_read
from organisatrice.emails.outbox.tasks import deliver_due_emails
from organisatrice.sentcopy.models import SentCopy
from organisatrice.sentcopy.tasks import sent_copy_attempt
from tests.emails.outbox.test_worker_processes import ROOT, shared_database  # noqa: F401
from tests.emails.outgoing import outgoing_email_create
from tests.factories import EmployeeFactory

from .conftest import folder_messages, mailbox_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
Status = SentCopy.Status

# The attempt of a real worker process, whose record step is a SIGKILL: the append has
# reached Dovecot, the database never hears of it.
KILLED_AFTER_APPEND = """
import os, signal, sys, django
django.setup()
from organisatrice.sentcopy import tasks
tasks._appended_record = lambda attempt, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
tasks.sent_copy_attempt(email_id=int(sys.argv[1]))
"""


def test_killed_between_append_and_record_makes_one_copy(
    shared_database,  # noqa: F811
    dovecot_user,
    smtp_settings,
):
    account = dovecot_user()
    employee = EmployeeFactory()
    mailbox_for(employee, account)
    email = outgoing_email_create(sender=employee)
    deliver_due_emails.call()  # committed: the acceptance's signal made the copy's record
    assert SentCopy.objects.get(email=email).status == Status.PENDING
    shared_database.push()

    worker = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_APPEND, str(email.pk)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.emails.outbox.worker_settings",
            "DATABASE_URL": shared_database.url,
            "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr
    shared_database.pull()

    record = SentCopy.objects.get(email=email)
    assert (record.status, record.attempts) == (Status.APPENDING, 1)
    assert len(folder_messages(account, "Sent")) == 1  # the append did happen
    # The lease's wake-up runs once the lease is over.
    SentCopy.objects.filter(pk=record.pk).update(lease_expires_at=timezone.now())

    assert sent_copy_attempt(email_id=email.pk) == Status.APPENDED

    assert [copy["raw"] for copy in folder_messages(account, "Sent")] == [blob_read(email.raw_sha256)]
    record.refresh_from_db()
    assert (record.attempts, record.uid) == (2, None)
