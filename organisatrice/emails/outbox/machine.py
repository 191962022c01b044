"""The outbox: how an OutgoingEmail goes from Send to the SMTP server's acceptance.

    queued ───────claim──> sending ──accepted──────────────────> sent
    retry_wait ───claim──>   │     ──temporary failure─────────> retry_wait (due after a back-off)
                             │     ──permanent failure, or the──> failed ──outbox_retry──> queued
                             │       last allowed attempt failed
                             └──lease expired: reclaimed──────> sending (same bytes, same Message-ID)
    queued, retry_wait ──outbox_cancel──> cancelled

Every function here is one short transaction. The worker (tasks.deliver_due) claims a
batch, talks SMTP outside any transaction, then records each result in its own
transaction: no row is locked while a server is being talked to.

Leases. A claim sets lease_expires_at = claim time + lease on the rows it takes. That
value is also the claim's token: starting and recording an attempt change a row only
while it still carries the token, so a worker presumed dead (whose rows were reclaimed)
cannot overwrite the new owner's state. A sending row's next_attempt_at is NULL exactly
while its attempt is in progress; a reclaim uses that to tell an interrupted attempt (the
message may have reached the server) from a row the dead worker had not reached yet.

Times are rounded up to the whole second where a task is scheduled for them, so that the
rows that become due together share one task.
"""

import datetime
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.orders.models import OrderEvent
from organisatrice.orders.services import order_event_record, work_reports_mark_reported
from organisatrice.people.models import Employee

from ..models import DeliveryAttempt, OutgoingAttachment, OutgoingEmail
from .smtp import SmtpResult, Stage

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status
Outcome = DeliveryAttempt.Outcome

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.QUEUED: frozenset({Status.SENDING, Status.CANCELLED}),
    Status.RETRY_WAIT: frozenset({Status.SENDING, Status.CANCELLED}),
    # sending -> sending is the reclaim of a row whose worker's lease expired.
    Status.SENDING: frozenset({Status.SENT, Status.RETRY_WAIT, Status.FAILED, Status.SENDING}),
    Status.FAILED: frozenset({Status.QUEUED}),
    Status.SENT: frozenset(),
    Status.CANCELLED: frozenset(),
}


def outbox_can_cancel(*, email: OutgoingEmail) -> bool:
    """Whether the email still waits to be sent, so that cancelling it is a legal move."""
    return Status.CANCELLED in TRANSITIONS[email.status]


def outbox_can_retry(*, email: OutgoingEmail) -> bool:
    return Status.QUEUED in TRANSITIONS[email.status]


# A worker that lost its lease (stalled longer than the lease) may still come back with
# the server's acceptance. The message did arrive: the row says so, whatever happened to
# it meanwhile, rather than invite another send or show a failure that is not one.
LATE_ACCEPTANCE_FROM = frozenset({Status.QUEUED, Status.SENDING, Status.RETRY_WAIT, Status.FAILED})


@dataclass(frozen=True)
class OutboxSettings:
    lease: datetime.timedelta
    max_attempts: int
    retry_base: datetime.timedelta
    retry_max: datetime.timedelta
    batch_size: int
    # How long one task keeps claiming batches before it hands over to a fresh task.
    task_seconds: float


def outbox_settings() -> OutboxSettings:
    """The outbox's tunables; each has a default, so the settings need not name them."""
    return OutboxSettings(
        lease=datetime.timedelta(seconds=settings.EMAIL_OUTBOX_LEASE_SECONDS),
        max_attempts=settings.EMAIL_OUTBOX_MAX_ATTEMPTS,
        retry_base=datetime.timedelta(seconds=settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS),
        retry_max=datetime.timedelta(seconds=settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS),
        batch_size=settings.EMAIL_OUTBOX_BATCH_SIZE,
        task_seconds=settings.EMAIL_OUTBOX_TASK_SECONDS,
    )


class OutboxError(Exception):
    """A move the outbox refuses; the message is written for the user."""


class OutboxTransitionError(OutboxError):
    def __init__(self, *, email: OutgoingEmail, current: str, target: str) -> None:
        self.email = email
        self.current = current
        self.target = target
        super().__init__(
            _("Impossible de passer cet eMail de l'état « %(current)s » à l'état « %(target)s ».")
            % {"current": Status(current).label, "target": Status(target).label}
        )


def _check_move(email: OutgoingEmail, target: str) -> None:
    if target not in TRANSITIONS[email.status]:
        raise OutboxTransitionError(email=email, current=email.status, target=target)


def outbox_retry_delay(*, attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1, 2, …): base·2^(attempt-1), capped."""
    config = outbox_settings()
    return min(config.retry_base * 2 ** max(0, attempt - 1), config.retry_max)


def _ceil_second(moment: datetime.datetime) -> datetime.datetime:
    if moment.microsecond:
        return moment.replace(microsecond=0) + datetime.timedelta(seconds=1)
    return moment


def envelope_sender(email: OutgoingEmail) -> str:
    """The envelope sender: the address of the From header."""
    return _address_of(email.from_header)


@functools.lru_cache(maxsize=256)
def _address_of(header: str) -> str:
    # A handful of From headers (the company's address under each employee's name)
    # serve thousands of emails; parsing one costs more than the rest of a claim.
    addresses = getaddresses([header])
    return addresses[0][1] if addresses else ""


def envelope_recipients(email: OutgoingEmail) -> list[str]:
    """To, Cc and Bcc addresses, each once: Bcc exists only here, never in a header."""
    seen: set[str] = set()
    recipients = []
    for entry in [*email.to, *email.cc, *email.bcc]:
        address = entry["email"].strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    return recipients


# --- Scheduling ------------------------------------------------------------------------


def delivery_schedule(*, at: datetime.datetime | None = None) -> None:
    """Makes sure a deliver_due_emails task runs at `at` (or as soon as a worker is free).

    On the database backend, a task already waiting for that moment is enough: a batch
    of Sends then wakes one task instead of one per email, each of which would find the
    work done. Other backends get one task per call; the extra ones find nothing due.
    """
    from .tasks import deliver_due_emails  # the tasks module imports this one

    task = deliver_due_emails if at is None else deliver_due_emails.using(run_after=at)
    if _task_waiting(task, at=at):
        return
    task.enqueue()


def _task_waiting(task: Any, *, at: datetime.datetime | None) -> bool:
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        backend_name=backend.alias,
        queue_name=task.queue_name,
        task_path=task.module_path,
    )
    if at is None:
        # Waiting and due: it starts after this point in time, so it sees every row
        # committed before the check.
        return waiting.ready().exists()
    return waiting.filter(run_after=at).exists()


# --- Services called by people (through the composer and the archive) -----------------


def outbox_enqueue(*, email: OutgoingEmail) -> None:
    """Queues a just-frozen email; called inside the Send's transaction.

    The delivery task is enqueued when that transaction commits, so a worker never looks
    for a row that is not there yet, and a rolled-back Send leaves no task behind.
    """
    with transaction.atomic():
        now = timezone.now()
        if not OutgoingEmail.objects.filter(pk=email.pk, status=Status.QUEUED).update(next_attempt_at=now):
            raise OutboxTransitionError(email=email, current=email.status, target=Status.QUEUED)
        email.next_attempt_at = now
        order_event_record(
            email_id=email.pk,
            order_id=email.order_id,
            kind=OrderEvent.Kind.EMAIL_QUEUED,
            actor_id=email.sender_id,
            text=email.subject,
        )
        transaction.on_commit(delivery_schedule, robust=True)


def outbox_cancel(*, email: OutgoingEmail, actor: Employee) -> None:
    """Cancels an email that has not left yet (queued, or waiting for another attempt)."""
    with transaction.atomic():
        locked = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        _check_move(locked, Status.CANCELLED)
        locked.status = Status.CANCELLED
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "next_attempt_at"])
        order_event_record(
            email_id=locked.pk, order_id=locked.order_id, kind=OrderEvent.Kind.EMAIL_CANCELLED, actor_id=actor.pk
        )
    email.status, email.next_attempt_at = locked.status, locked.next_attempt_at


def outbox_retry(*, email: OutgoingEmail, actor: Employee) -> None:
    """Queues a failed email again: the same bytes, the same Message-ID, a fresh set of attempts."""
    with transaction.atomic():
        locked = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        _check_move(locked, Status.QUEUED)
        now = timezone.now()
        locked.status = Status.QUEUED
        locked.next_attempt_at = now
        # The earlier attempts stay in the log; the count only limits this round.
        locked.attempt_count = 0
        locked.failure_reason = ""
        locked.save(update_fields=["status", "next_attempt_at", "attempt_count", "failure_reason"])
        order_event_record(
            email_id=locked.pk,
            order_id=locked.order_id,
            kind=OrderEvent.Kind.EMAIL_QUEUED,
            actor_id=actor.pk,
            text=_("Nouvel essai demandé : %(subject)s") % {"subject": locked.subject},
        )
        transaction.on_commit(delivery_schedule, robust=True)
    email.status, email.next_attempt_at = locked.status, locked.next_attempt_at
    email.attempt_count, email.failure_reason = locked.attempt_count, locked.failure_reason


# --- Services called by the worker ------------------------------------------------------


@dataclass(frozen=True)
class ClaimedEmail:
    """What a worker needs to send one claimed email, read in the claim's transaction."""

    id: int
    order_id: int
    subject: str
    message_id: str
    raw_sha256: str
    envelope_from: str
    recipients: tuple[str, ...]
    # The number this attempt gets: 1 for the first since Send (or since outbox_retry).
    attempt: int
    lease_token: datetime.datetime
    work_report_ids: tuple[int, ...]


_CLAIM_FIELDS = (
    "id",
    "order_id",
    "subject",
    "message_id",
    "raw_sha256",
    "from_header",
    "to",
    "cc",
    "bcc",
    "attempt_count",
    "next_attempt_at",
    "lease_expires_at",
)


def _skip_locked(queryset: QuerySet[OutgoingEmail]) -> QuerySet[OutgoingEmail]:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    # SQLite: the transaction is IMMEDIATE (see the settings), so it holds the
    # database's write lock from its first statement and claims run one at a time.
    return queryset


def outbox_claim_due(*, limit: int, now: datetime.datetime | None = None) -> list[ClaimedEmail]:
    """Takes up to `limit` due emails for this worker and puts them under one lease.

    Due: queued or retry_wait whose time has come, and sending rows whose lease expired
    (their worker died or stalled). Rows another worker is claiming are skipped, not
    waited for.
    """
    config = outbox_settings()
    now = now or timezone.now()
    token = now + config.lease
    with transaction.atomic(durable=True):
        expired = list(
            _skip_locked(
                OutgoingEmail.objects.filter(status=Status.SENDING, lease_expires_at__lte=now).order_by(
                    "lease_expires_at", "id"
                )
            ).only(*_CLAIM_FIELDS)[:limit]
        )
        due: list[OutgoingEmail] = []
        if len(expired) < limit:
            due = list(
                _skip_locked(
                    OutgoingEmail.objects.filter(
                        status__in=[Status.QUEUED, Status.RETRY_WAIT], next_attempt_at__lte=now
                    ).order_by("next_attempt_at", "id")
                ).only(*_CLAIM_FIELDS)[: limit - len(expired)]
            )
        if len(expired) + len(due) >= limit:
            # More may be due: an idle worker can take the next batch meanwhile.
            delivery_schedule()
        rows = [email for email in expired if _reclaim(email, config=config)] + due
        if not rows:
            return []
        ids = [email.pk for email in rows]
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=Status.SENDING, lease_expires_at=token, next_attempt_at=now
        )
        reports: dict[int, list[int]] = defaultdict(list)
        for email_id, report_id in OutgoingAttachment.objects.filter(
            email_id__in=ids, work_report__isnull=False
        ).values_list("email_id", "work_report_id"):
            reports[email_id].append(report_id)
        # Should this worker die, a task at the end of the lease hands the rows on.
        delivery_schedule(at=_ceil_second(token))
    return [
        ClaimedEmail(
            id=email.pk,
            order_id=email.order_id,
            subject=email.subject,
            message_id=email.message_id,
            raw_sha256=email.raw_sha256,
            envelope_from=envelope_sender(email),
            recipients=tuple(envelope_recipients(email)),
            attempt=email.attempt_count + 1,
            lease_token=token,
            work_report_ids=tuple(reports.get(email.pk, ())),
        )
        for email in rows
    ]


def _reclaim(email: OutgoingEmail, *, config: OutboxSettings) -> bool:
    """Handles a row whose lease expired; True when it may be claimed again."""
    if email.next_attempt_at is not None:
        # Its worker never reached it: no attempt to account for.
        return True
    assert email.lease_expires_at is not None
    DeliveryAttempt.objects.create(
        email_id=email.pk,
        started_at=email.lease_expires_at - config.lease,
        finished_at=email.lease_expires_at,
        outcome=Outcome.TEMPORARY,
        error=_(
            "Tentative interrompue : le processus d'envoi s'est arrêté sans enregistrer la réponse du serveur. "
            "Le message a pu être reçu ; il est renvoyé tel quel, avec le même Message-ID."
        ),
    )
    if email.attempt_count < config.max_attempts:
        return True
    reason = _("Abandon après %(count)d tentatives ; la dernière a été interrompue (arrêt du processus d'envoi).") % {
        "count": email.attempt_count
    }
    OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, failure_reason=reason, lease_expires_at=None)
    order_event_record(email_id=email.pk, order_id=email.order_id, kind=OrderEvent.Kind.EMAIL_FAILED, text=reason)
    return False


def outbox_attempt_start(*, claimed: ClaimedEmail) -> bool:
    """Marks the attempt as begun, just before talking to the server.

    False when the row is no longer this worker's (its lease expired and another worker
    reclaimed it): then it must not be sent from here.
    """
    return _start(claimed)


def _start(claimed: ClaimedEmail) -> bool:
    return _execute(_statements().start, [claimed.id, _db_datetime(claimed.lease_token)]) == 1


@dataclass(frozen=True)
class AttemptRecorded:
    status: str
    # Whether `start_next` was started (see outbox_attempt_record).
    next_started: bool = False


def outbox_attempt_record(
    *,
    claimed: ClaimedEmail,
    result: SmtpResult,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    worker: str,
    start_next: ClaimedEmail | None = None,
) -> AttemptRecorded:
    """Logs the attempt and moves the email by its outcome.

    `start_next`, the batch's next email, is marked as begun in the same transaction:
    what outbox_attempt_start does, without a transaction of its own for every email.
    """
    with transaction.atomic(durable=True):
        status = _record(claimed=claimed, result=result, started_at=started_at, finished_at=finished_at, worker=worker)
        next_started = start_next is not None and _start(start_next)
    return AttemptRecorded(status=status, next_started=next_started)


def _record(
    *,
    claimed: ClaimedEmail,
    result: SmtpResult,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    worker: str,
) -> str:
    _execute(
        _statements().log_attempt,
        [
            claimed.id,
            _db_datetime(started_at),
            _db_datetime(finished_at),
            result.outcome,
            result.code,
            result.reply,
            _attempt_error(result),
            worker[:100],
        ],
    )
    if result.accepted:
        marked = _execute(
            _statements().mark_sent,
            [
                Status.SENT,
                _db_datetime(finished_at),
                _sent_reply(result),
                claimed.id,
                _db_datetime(claimed.lease_token),
            ],
        )
        if marked:
            _accepted(claimed=claimed, result=result, sent_at=finished_at)
            return Status.SENT
        return _record_late(claimed=claimed, result=result, finished_at=finished_at)
    # A lease token is set only while sending, so it alone says the row is still ours.
    mine = OutgoingEmail.objects.filter(pk=claimed.id, lease_expires_at=claimed.lease_token)
    if result.outcome == Outcome.TEMPORARY and claimed.attempt < outbox_settings().max_attempts:
        due = _ceil_second(finished_at + outbox_retry_delay(attempt=claimed.attempt))
        if mine.update(status=Status.RETRY_WAIT, next_attempt_at=due, lease_expires_at=None):
            delivery_schedule(at=due)
            return Status.RETRY_WAIT
    else:
        reason = _failure_reason(result, attempt=claimed.attempt)
        if mine.update(status=Status.FAILED, failure_reason=reason, lease_expires_at=None):
            order_event_record(
                email_id=claimed.id, order_id=claimed.order_id, kind=OrderEvent.Kind.EMAIL_FAILED, text=reason
            )
            return Status.FAILED
    return _record_late(claimed=claimed, result=result, finished_at=finished_at)


def _record_late(*, claimed: ClaimedEmail, result: SmtpResult, finished_at: datetime.datetime) -> str:
    """The lease was lost before the result came back: another worker owns the row now."""
    current = OutgoingEmail.objects.select_for_update().only("id", "status").get(pk=claimed.id)
    logger.warning("email %s: result of an attempt whose lease had expired (%s)", claimed.id, result.describe())
    if result.accepted and current.status in LATE_ACCEPTANCE_FROM:
        OutgoingEmail.objects.filter(pk=claimed.id).update(
            status=Status.SENT,
            sent_at=finished_at,
            smtp_reply=_sent_reply(result),
            lease_expires_at=None,
            next_attempt_at=None,
            failure_reason="",
        )
        _accepted(claimed=claimed, result=result, sent_at=finished_at)
        return Status.SENT
    return current.status


def _accepted(*, claimed: ClaimedEmail, result: SmtpResult, sent_at: datetime.datetime) -> None:
    text = claimed.subject
    if result.refused:
        text += "\n" + _refused_text(result)
    _execute(
        _statements().log_event,
        [claimed.order_id, OrderEvent.Kind.EMAIL_SENT, _db_datetime(timezone.now()), text, claimed.id],
    )
    work_reports_mark_reported(report_ids=claimed.work_report_ids, email_id=claimed.id, sent_at=sent_at)


# --- The delivery's statements in SQL ---------------------------------------------------
# Each delivered email costs four statements: log the attempt, mark the email sent,
# write the order's timeline, mark the batch's next email as begun. Built by the ORM
# every time, they cost the worker more CPU than the SMTP dialogue and the reading of a
# 200 KB message together (see bench/bench_sending.py); written once here, from the
# models' own table and column names, they cost a fraction. The rarer moves keep the ORM.


@dataclass(frozen=True)
class _Statements:
    log_attempt: str
    mark_sent: str
    log_event: str
    start: str


@functools.cache
def _statements_for(vendor: str) -> _Statements:
    # Only quoted table and column names go into the text (S608); values are parameters.
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return quote(field.column)

    def insert(model: type[Model], *names: str) -> str:
        columns = ", ".join(column(model, name) for name in names)
        return f"INSERT INTO {table(model)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608

    email = table(OutgoingEmail)
    id_, lease = column(OutgoingEmail, "id"), column(OutgoingEmail, "lease_expires_at")
    next_at, count = column(OutgoingEmail, "next_attempt_at"), column(OutgoingEmail, "attempt_count")
    return _Statements(
        log_attempt=insert(
            DeliveryAttempt,
            "email",
            "started_at",
            "finished_at",
            "outcome",
            "smtp_code",
            "smtp_reply",
            "error",
            "worker",
        ),
        mark_sent=(
            f"UPDATE {email} SET {column(OutgoingEmail, 'status')} = %s, {column(OutgoingEmail, 'sent_at')} = %s, "  # noqa: S608
            f"{column(OutgoingEmail, 'smtp_reply')} = %s, {lease} = NULL WHERE {id_} = %s AND {lease} = %s"
        ),
        log_event=insert(OrderEvent, "order", "kind", "created_at", "text", "email"),
        start=(
            f"UPDATE {email} SET {next_at} = NULL, {count} = {count} + 1 "  # noqa: S608
            f"WHERE {id_} = %s AND {lease} = %s AND {next_at} IS NOT NULL"
        ),
    )


def _statements() -> _Statements:
    return _statements_for(connection.vendor)


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _db_datetime(moment: datetime.datetime) -> Any:
    # As the ORM stores it: the lease token is compared for equality.
    return connection.ops.adapt_datetimefield_value(moment)


def _refused_text(result: SmtpResult) -> str:
    return _("Destinataires refusés : %(list)s") % {
        "list": " ; ".join(f"{recipient} ({reply})" for recipient, reply in result.refused.items())
    }


def _sent_reply(result: SmtpResult) -> str:
    if result.refused:
        return f"{result.server_reply}\n{_refused_text(result)}"
    return result.server_reply


def _attempt_error(result: SmtpResult) -> str:
    parts = [result.error] if result.error else []
    if result.refused:
        parts.append(_refused_text(result))
    return "\n".join(parts)


def _failure_reason(result: SmtpResult, *, attempt: int) -> str:
    if result.stage == Stage.RCPT and result.refused:
        detail = _("le serveur SMTP a refusé tous les destinataires : %(list)s") % {
            "list": " ; ".join(f"{recipient} ({reply})" for recipient, reply in result.refused.items())
        }
    elif result.code is not None:
        detail = _("le serveur SMTP a répondu « %(reply)s »") % {"reply": result.server_reply}
    else:
        detail = result.error
    if result.outcome == Outcome.PERMANENT:
        return _("Refus définitif : %(detail)s") % {"detail": detail}
    return _("Abandon après %(count)d tentatives. Dernière erreur : %(detail)s") % {"count": attempt, "detail": detail}
