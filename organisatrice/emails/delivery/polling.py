"""Reading the bounce mailbox every EMAIL_BOUNCE_POLL_SECONDS: the task, its chain, its status line.

bounce_mailbox_poll runs on any backend of the Tasks API. Like the outbox's delivery task
it keeps no loop of its own: each run first asks for the next one, at now + the interval,
in the transaction that notes it (on the database backend the two commit together, so a
worker dying mid-reading leaves the next run behind it). A run that finds a later one
already asked for asks for none; a spare run costs one reading, which changes nothing
twice. bounce_poll_ensure starts the chain when none runs (at an acceptance, a save in
the backoffice), and `manage.py bounce_poll` runs one reading by hand.

A mailbox that is down or refuses the login is a failure on the status line and nothing
more: the messages wait in the mailbox, and the next run reads them.
"""

import datetime
import imaplib
import logging
import socket
import ssl
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from imapclient.exceptions import IMAPClientError, LoginError

from organisatrice.vault import secret_encrypt

from ..models import BounceMailbox
from .mailbox import (
    MailboxConfig,
    MailboxConfigError,
    Reading,
    mailbox_close,
    mailbox_config,
    mailbox_connect,
    mailbox_read,
)
from .matching import Match
from .reports import ParsedReport
from .services import delivery_report_record

logger = logging.getLogger(__name__)


@task()
def bounce_mailbox_poll() -> dict[str, int]:
    """Reads the bounce mailbox once, and asks for the next reading."""
    return bounce_poll_run()


def bounce_mailbox_get() -> BounceMailbox:
    """The one row of the bounce mailbox's settings and state."""
    row = BounceMailbox.objects.order_by("pk").first()
    return row if row is not None else BounceMailbox.objects.get_or_create(pk=1)[0]


def _configured(row: BounceMailbox) -> bool:
    return row.enabled and bool(row.host or settings.EMAIL_BOUNCE_MAILBOX)


def bounce_poll_interval(row: BounceMailbox) -> datetime.timedelta:
    return datetime.timedelta(seconds=max(row.poll_seconds or settings.EMAIL_BOUNCE_POLL_SECONDS, 1))


def bounce_poll_schedule(*, at: datetime.datetime | None = None) -> None:
    (bounce_mailbox_poll if at is None else bounce_mailbox_poll.using(run_after=at)).enqueue()


def bounce_poll_ensure(*, now: datetime.datetime | None = None) -> bool:
    """Asks for a reading on commit when no chain of readings runs; True when it asked."""
    now = now or timezone.now()
    row = bounce_mailbox_get()
    if not _configured(row):
        return False
    # Alive: its next run is due, or at most one interval late (a busy worker).
    if row.next_poll_at is not None and row.next_poll_at > now - bounce_poll_interval(row):
        return False
    updated = BounceMailbox.objects.filter(pk=row.pk, next_poll_at=row.next_poll_at).update(next_poll_at=now)
    if updated:
        transaction.on_commit(bounce_poll_schedule, robust=True)
    return bool(updated)


def _claim(now: datetime.datetime) -> tuple[BounceMailbox, MailboxConfig | None, MailboxConfigError | None]:
    """Notes the reading and asks for the next one, in one transaction."""
    config: MailboxConfig | None = None
    problem: MailboxConfigError | None = None
    with transaction.atomic():
        row = BounceMailbox.objects.select_for_update().get(pk=bounce_mailbox_get().pk)
        try:
            config = mailbox_config(row)
        except MailboxConfigError as error:
            problem = error
        if _configured(row):
            if row.next_poll_at is None or row.next_poll_at <= now + datetime.timedelta(seconds=1):
                row.next_poll_at = now + bounce_poll_interval(row)
                bounce_poll_schedule(at=row.next_poll_at)
        else:
            row.next_poll_at = None
        row.last_poll_at = now
        row.save(update_fields=["next_poll_at", "last_poll_at"])
    return row, config, problem


def mailbox_error_text(error: BaseException) -> str:
    """What the status line says of a failed reading: in French, never the password."""
    detail = str(error).strip() or type(error).__name__
    if isinstance(error, MailboxConfigError):
        return detail
    if isinstance(error, LoginError):
        return _("Connexion refusée par le serveur IMAP (identifiant ou mot de passe) : %(detail)s") % {
            "detail": detail
        }
    if isinstance(error, ssl.SSLError):
        return _("Échec TLS avec le serveur IMAP : %(detail)s") % {"detail": detail}
    if isinstance(error, (socket.timeout, TimeoutError)):
        return _("Le serveur IMAP ne répond pas (délai dépassé).")
    if isinstance(error, OSError):
        return _("Serveur IMAP injoignable : %(detail)s") % {"detail": detail}
    return _("Le serveur IMAP a refusé la lecture : %(detail)s") % {"detail": detail}


def _failure_store(row: BounceMailbox, error: BaseException) -> None:
    text = mailbox_error_text(error)[:1000]
    logger.warning("bounce mailbox: %s", text)
    BounceMailbox.objects.filter(pk=row.pk).update(last_error=text, failures=F("failures") + 1)


def _progress(row: BounceMailbox) -> Callable[[int, int], None]:
    def store(uidvalidity: int, uid: int) -> None:
        BounceMailbox.objects.filter(pk=row.pk).update(uidvalidity=uidvalidity, last_uid=uid)

    return store


def _record(raw: bytes, parsed: ParsedReport, match: Match) -> None:
    delivery_report_record(raw=raw, parsed=parsed, match=match)


def bounce_poll_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One reading of the mailbox; returns what it did."""
    now = now or timezone.now()
    row, config, problem = _claim(now)
    if problem is not None:
        _failure_store(row, problem)
        return {"failed": 1}
    if config is None:
        return {"disabled": 1}
    try:
        client = mailbox_connect(config)
        try:
            reading = mailbox_read(
                client,
                config,
                uidvalidity=row.uidvalidity,
                last_uid=row.last_uid,
                record=_record,
                progress=_progress(row),
            )
        finally:
            mailbox_close(client)
    except (IMAPClientError, imaplib.IMAP4.error, OSError, MailboxConfigError) as error:
        _failure_store(row, error)
        return {"failed": 1}
    _success_store(row, reading, timezone.now())
    if reading.more:
        bounce_poll_schedule()
    return {"read": reading.read, "reports": reading.reports, "moved": reading.moved}


def _success_store(row: BounceMailbox, reading: Reading, now: datetime.datetime) -> None:
    BounceMailbox.objects.filter(pk=row.pk).update(
        last_success_at=now,
        last_error="",
        failures=0,
        uidvalidity=reading.uidvalidity,
        last_uid=reading.last_uid,
        reports_total=F("reports_total") + reading.reports,
    )


def bounce_mailbox_settings_save(*, mailbox: BounceMailbox, password: str | None) -> BounceMailbox:
    """Saves the backoffice's settings (a new password encrypted) and reads the mailbox soon after."""
    with transaction.atomic():
        if password is not None:
            mailbox.password_encrypted = secret_encrypt(password)
        # A new address starts again from the first message of its folder.
        mailbox.uidvalidity, mailbox.last_uid, mailbox.last_error, mailbox.failures = None, 0, "", 0
        mailbox.next_poll_at = None
        mailbox.save()
        if mailbox.enabled:
            transaction.on_commit(bounce_poll_schedule, robust=True)
    return mailbox
