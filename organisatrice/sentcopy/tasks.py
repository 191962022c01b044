"""The task that makes one sent email's copy, and its attempts.

append_sent_copy is enqueued when the relay's acceptance is announced, at each retry's due
time, and at the end of each attempt's lease (so a worker that dies mid-append is replaced).
An attempt is started in a short transaction (counted, under a lease, with that wake-up
enqueued in it), talks IMAP outside any transaction, and is recorded in another. Any attempt
after the first searches the folder for the email's Message-ID before appending: the one
before may have appended it and died before recording it.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from imapclient.exceptions import IMAPClientError

from organisatrice.content_store import blob_read
from organisatrice.emails.outbox.states import ceil_second, outbox_retry_delay, outbox_settings

from . import imap
from .imap import Account, CopyError
from .models import SentCopy, SentCopyMailbox
from .selectors import sent_copy_mailbox_account

logger = logging.getLogger(__name__)
Status = SentCopy.Status


@task()
def append_sent_copy(email_id: int) -> str:
    return sent_copy_attempt(email_id=email_id)


def sent_copy_schedule(*, email_id: int, at: datetime.datetime | None = None) -> None:
    (append_sent_copy if at is None else append_sent_copy.using(run_after=at)).enqueue(email_id)


@dataclass(frozen=True)
class _Attempt:
    copy_id: int
    email_id: int
    number: int
    lease_expires_at: datetime.datetime
    message_id: str
    raw_sha256: str
    sent_at: datetime.datetime
    account: Account
    folder: str


def sent_copy_attempt(*, email_id: int) -> str:
    """One attempt at the copy, if one is due; returns the copy's status afterwards."""
    attempt = _attempt_start(email_id=email_id)
    if attempt is None:
        return SentCopy.objects.filter(email_id=email_id).values_list("status", flat=True).first() or ""
    try:
        folder, uid = _copy_place(attempt)
    except CopyError as error:
        return _attempt_failed(attempt, error)
    return _appended_record(attempt, folder=folder, uid=uid)


def _attempt_start(*, email_id: int, now: datetime.datetime | None = None) -> _Attempt | None:
    now = now or timezone.now()
    with transaction.atomic():
        copy = SentCopy.objects.select_for_update().select_related("email").filter(email_id=email_id).first()
        if copy is None:
            return None
        waiting = copy.status in (Status.PENDING, Status.RETRY_WAIT) and (
            copy.next_attempt_at is None or copy.next_attempt_at <= now
        )
        # An attempt whose worker died (or stalled past its lease): its copy may be there.
        interrupted = copy.status == Status.APPENDING and (
            copy.lease_expires_at is None or copy.lease_expires_at <= now
        )
        if not (waiting or interrupted):
            return None
        email = copy.email
        config = outbox_settings()
        if interrupted and copy.attempts >= config.max_attempts:
            # Each attempt died (a worker killed, a message the worker cannot hold): no more.
            copy.status, copy.lease_expires_at = Status.FAILED, None
            copy.error = _("Abandon après %(count)d essais ; le dernier a été interrompu.") % {"count": copy.attempts}
            copy.save(update_fields=["status", "error", "lease_expires_at"])
            return None
        mailbox = SentCopyMailbox.objects.filter(employee_id=email.sender_id, enabled=True).first()
        account: Account | None = None
        error = ""
        if mailbox is None:
            error = _("La copie dans les envoyés a été désactivée avant le dépôt.")
        else:
            try:
                account = sent_copy_mailbox_account(mailbox)
            except CopyError as unreadable:
                error = unreadable.message
        if account is None:
            copy.status, copy.error, copy.next_attempt_at, copy.lease_expires_at = Status.FAILED, error, None, None
            copy.save(update_fields=["status", "error", "next_attempt_at", "lease_expires_at"])
            return None
        expires = now + config.lease
        number = copy.attempts + 1
        SentCopy.objects.filter(pk=copy.pk).update(
            status=Status.APPENDING,
            attempts=number,
            last_attempt_at=now,
            lease_expires_at=expires,
            next_attempt_at=None,
        )
        # The wake-up that takes the copy up again should this worker die before recording.
        sent_copy_schedule(email_id=email_id, at=ceil_second(expires))
    return _Attempt(
        copy_id=copy.pk,
        email_id=email_id,
        number=number,
        lease_expires_at=expires,
        message_id=email.message_id,
        raw_sha256=email.raw_sha256,
        sent_at=email.sent_at or now,
        account=account,
        folder=mailbox.folder if mailbox else "",
    )


def _archived_bytes(attempt: _Attempt) -> bytes:
    """The message as archived (what the .eml download serves), checked against its SHA-256."""
    try:
        raw = blob_read(attempt.raw_sha256)
    except FileNotFoundError as error:
        raise CopyError(_("Le message archivé est introuvable dans le stockage."), temporary=False) from error
    except OSError as error:
        raise CopyError(f"{type(error).__name__}: {error}", temporary=True) from error
    if hashlib.sha256(raw).hexdigest() != attempt.raw_sha256:
        raise CopyError(_("Le message archivé ne correspond plus à son empreinte SHA-256."), temporary=False)
    return raw


def _copy_place(attempt: _Attempt) -> tuple[str, int | None]:
    """Appends the copy (unless an earlier attempt did); the folder and the new UID."""
    raw = _archived_bytes(attempt)
    client = imap.connect(attempt.account)
    try:
        folder = attempt.folder or imap.sent_folder_find(client)
        if not folder:
            raise CopyError(_("Aucun dossier des envoyés trouvé sur le serveur : choisissez-en un."), temporary=False)
        if attempt.number > 1 and imap.copy_find(client, folder=folder, message_id=attempt.message_id):
            return folder, None
        return folder, imap.copy_append(client, folder=folder, raw=raw, sent_at=attempt.sent_at)
    except (OSError, IMAPClientError) as error:
        raise CopyError(imap.server_down_text(attempt.account, error), temporary=True) from error
    finally:
        imap.disconnect(client)


def _mine(attempt: _Attempt) -> Any:
    # Only while this attempt still holds the copy: a worker that lost its lease records nothing.
    return SentCopy.objects.filter(pk=attempt.copy_id, status=Status.APPENDING, attempts=attempt.number)


def _appended_record(attempt: _Attempt, *, folder: str, uid: int | None) -> str:
    with transaction.atomic():
        _mine(attempt).update(
            status=Status.APPENDED, folder=folder, uid=uid, error="", appended_at=timezone.now(), lease_expires_at=None
        )
    return Status.APPENDED


def _attempt_failed(attempt: _Attempt, error: CopyError) -> str:
    now = timezone.now()
    max_attempts = outbox_settings().max_attempts
    with transaction.atomic():
        if error.temporary and attempt.number < max_attempts:
            due = ceil_second(now + outbox_retry_delay(attempt=attempt.number))
            if _mine(attempt).update(
                status=Status.RETRY_WAIT, error=error.message, next_attempt_at=due, lease_expires_at=None
            ):
                sent_copy_schedule(email_id=attempt.email_id, at=due)
            return Status.RETRY_WAIT
        reason = error.message
        if error.temporary:
            reason = _("Abandon après %(count)d essais : %(reason)s") % {"count": attempt.number, "reason": reason}
        _mine(attempt).update(status=Status.FAILED, error=reason, next_attempt_at=None, lease_expires_at=None)
    logger.warning("sent copy %s: %s", attempt.copy_id, error.message)
    return Status.FAILED
