"""The worker's moves on the rows: claim a batch, start an attempt, store its result.

Each function runs inside the transaction its caller opens (tasks.py: one for a claim, one
per email's result), or opens one of its own when called alone. None of them talks to a
server or enqueues a task: what to wake up, and when, is returned for tasks.py to ask.

Leases. A claim puts the rows it takes under a fresh lease: a random token (lease_token)
and an end (lease_expires_at). Starting and storing an attempt change a row only while it
still carries the token, so a worker presumed dead (whose rows were reclaimed under a new
token) cannot overwrite the new owner's state. A sending row's next_attempt_at is NULL
exactly while its attempt is in progress; a reclaim uses that to tell an interrupted
attempt (the message may have reached the server) from a row the dead worker had not
reached yet.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.orders.models import OrderEvent
from organisatrice.orders.services import order_events_record, work_reports_mark_reported

from ..models import DeliveryAttempt, OutgoingAttachment, OutgoingEmail
from .envelope import envelope_recipients, envelope_sender
from .results import SmtpResult, attempt_error, failure_reason, refused_text, sent_reply
from .states import (
    Claim,
    ClaimedEmail,
    Move,
    OutboxSettings,
    Outcome,
    Status,
    ceil_second,
    outbox_retry_delay,
    outbox_settings,
)

logger = logging.getLogger(__name__)


_CLAIM_FIELDS = ("id", "order_id", "subject", "message_id", "raw_sha256", "from_header", "to", "cc", "bcc")
_CLAIM_STATE = ("status", "attempt_count", "next_attempt_at", "lease_expires_at")


def _skip_locked(queryset: QuerySet[OutgoingEmail]) -> QuerySet[OutgoingEmail]:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    # SQLite: the transaction is IMMEDIATE (see the settings), so it holds the
    # database's write lock from its first statement and claims run one at a time.
    return queryset


def claim_rows(*, limit: int, now: datetime.datetime | None = None) -> Claim:
    """Takes up to `limit` due emails and puts them under one lease.

    Due: queued or retry_wait whose time has come, and sending rows whose lease expired
    (their worker died or stalled). Rows another worker is claiming are skipped, not
    waited for.
    """
    config = outbox_settings()
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        expired = list(
            _skip_locked(
                OutgoingEmail.objects.filter(status__in=Move.RECLAIM.sources, lease_expires_at__lte=now).order_by(
                    "lease_expires_at", "id"
                )
            ).only(*_CLAIM_FIELDS, *_CLAIM_STATE)[:limit]
        )
        due: list[OutgoingEmail] = []
        if len(expired) < limit:
            due = list(
                _skip_locked(
                    OutgoingEmail.objects.filter(status__in=Move.CLAIM.sources, next_attempt_at__lte=now).order_by(
                        "next_attempt_at", "id"
                    )
                ).only(*_CLAIM_FIELDS, *_CLAIM_STATE)[: limit - len(expired)]
            )
        full = len(expired) + len(due) >= limit
        rows = (_reclaim(expired, config=config) if expired else []) + due
        if not rows:
            return Claim(emails=[], full=full)
        ids = [email.pk for email in rows]
        token, expires = uuid.uuid4(), now + config.lease
        OutgoingEmail.objects.filter(pk__in=ids, status__in=Move.CLAIM.sources | Move.RECLAIM.sources).update(
            status=Move.CLAIM.target, lease_token=token, lease_expires_at=expires, next_attempt_at=now
        )
        reports: dict[int, list[int]] = defaultdict(list)
        for email_id, report_id in OutgoingAttachment.objects.filter(
            email_id__in=ids, work_report__isnull=False
        ).values_list("email_id", "work_report_id"):
            reports[email_id].append(report_id)
    claimed = [
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
            lease_expires_at=expires,
            work_report_ids=tuple(reports.get(email.pk, ())),
        )
        for email in rows
    ]
    return Claim(emails=claimed, full=full)


def _reclaim(expired: list[OutgoingEmail], *, config: OutboxSettings) -> list[OutgoingEmail]:
    """Accounts for the rows whose lease expired; returns those that may be claimed again.

    A row whose worker never reached it had no attempt; one it was sending had an
    interrupted attempt, logged as temporary. After the last allowed attempt, it fails.
    """
    interrupted = [email for email in expired if email.next_attempt_at is None]
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            email_id=email.pk,
            started_at=email.lease_expires_at - config.lease,
            finished_at=email.lease_expires_at,
            outcome=Outcome.TEMPORARY,
            error=_(
                "Tentative interrompue : le processus d'envoi s'est arrêté sans enregistrer la réponse du serveur. "
                "Le message a pu être reçu ; il est renvoyé tel quel, avec le même Message-ID."
            ),
        )
        for email in interrupted
        if email.lease_expires_at is not None
    )
    exhausted = [email for email in interrupted if email.attempt_count >= config.max_attempts]
    for count in {email.attempt_count for email in exhausted}:
        reason = _(
            "Abandon après %(count)d tentatives ; la dernière a été interrompue (arrêt du processus d'envoi)."
        ) % {"count": count}
        batch = [email for email in exhausted if email.attempt_count == count]
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in batch], status__in=Move.FAIL.sources).update(
            status=Move.FAIL.target, failure_reason=reason, lease_token=None, lease_expires_at=None
        )
        order_events_record(
            OrderEvent(order_id=email.order_id, email_id=email.pk, kind=OrderEvent.Kind.EMAIL_FAILED, text=reason)
            for email in batch
        )
    return [email for email in expired if email not in exhausted]


def attempt_start(*, claimed: ClaimedEmail) -> bool:
    """Marks the attempt as begun, just before talking to the server; False when the row is
    no longer this worker's (another worker reclaimed it): then it must not be sent from here."""
    rows, values = _start_update(claimed)
    return bool(rows.update(**values))


_Update = tuple[QuerySet[OutgoingEmail], dict[str, object]]


def _start_update(claimed: ClaimedEmail) -> _Update:
    # While the row carries this claim's token, its attempt_count is the one the claim
    # read (claimed.attempt - 1): the count is written, not computed by the database.
    rows = OutgoingEmail.objects.filter(pk=claimed.id, lease_token=claimed.lease_token, next_attempt_at__isnull=False)
    return rows, {"next_attempt_at": None, "attempt_count": claimed.attempt}


@dataclass(frozen=True)
class AttemptRecorded:
    status: str
    # Postponed: the moment the next attempt is due, for a wake-up.
    retry_at: datetime.datetime | None = None
    # Whether the plan's next email was started (see attempt_store).
    next_started: bool = False


def _mine(claimed: ClaimedEmail, move: Move) -> QuerySet[OutgoingEmail]:
    """The row, if it still carries this claim's token and `move` may start from its status."""
    rows = OutgoingEmail.objects.filter(pk=claimed.id, lease_token=claimed.lease_token)
    if len(move.sources) == 1:
        return rows.filter(status=next(iter(move.sources)))
    return rows.filter(status__in=move.sources)


@dataclass(frozen=True)
class AttemptPlan:
    """An attempt's record, built from the claim and the result before its transaction opens."""

    claimed: ClaimedEmail
    result: SmtpResult
    finished_at: datetime.datetime
    attempt: DeliveryAttempt
    rows: QuerySet[OutgoingEmail]
    values: dict[str, object]
    recorded: AttemptRecorded
    event: OrderEvent | None
    start: _Update | None


def attempt_plan(
    *,
    claimed: ClaimedEmail,
    result: SmtpResult,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    worker: str,
    start_next: ClaimedEmail | None = None,
) -> AttemptPlan:
    """What attempt_store writes (`start_next`: the email it starts), built without the database."""
    event: OrderEvent | None = None
    common: dict[str, object] = {"lease_token": None, "lease_expires_at": None}
    if result.accepted:
        move, recorded = Move.ACCEPT, AttemptRecorded(Status.SENT)
        values = {"status": move.target, "sent_at": finished_at, "smtp_reply": sent_reply(result), **common}
        event = _sent_event(claimed, result)
    elif result.outcome == Outcome.TEMPORARY and claimed.attempt < outbox_settings().max_attempts:
        due = ceil_second(finished_at + outbox_retry_delay(attempt=claimed.attempt))
        move, recorded = Move.POSTPONE, AttemptRecorded(Status.RETRY_WAIT, retry_at=due)
        values = {"status": move.target, "next_attempt_at": due, **common}
    else:
        reason = failure_reason(result, attempt=claimed.attempt)
        move, recorded = Move.FAIL, AttemptRecorded(Status.FAILED)
        values = {"status": move.target, "failure_reason": reason, **common}
        event = OrderEvent(
            order_id=claimed.order_id, email_id=claimed.id, kind=OrderEvent.Kind.EMAIL_FAILED, text=reason
        )
    attempt = _attempt_row(claimed.id, result, started_at, finished_at, worker)
    start = _start_update(start_next) if start_next is not None else None
    return AttemptPlan(claimed, result, finished_at, attempt, _mine(claimed, move), values, recorded, event, start)


def attempt_store(plan: AttemptPlan) -> AttemptRecorded:
    """Logs the attempt, moves the email by its outcome, and starts the batch's next email (what
    attempt_start does, in the same transaction rather than one of its own for every email)."""
    with transaction.atomic(savepoint=False):
        DeliveryAttempt.objects.bulk_create([plan.attempt])
        if plan.rows.update(**plan.values):
            recorded = plan.recorded
            _recorded(plan)
        else:
            recorded = AttemptRecorded(_store_late(plan))
        if plan.start is not None and plan.start[0].update(**plan.start[1]):
            return AttemptRecorded(status=recorded.status, retry_at=recorded.retry_at, next_started=True)
    return recorded


def _recorded(plan: AttemptPlan) -> None:
    """The timeline's line of a sent or failed email, and the work reports a sent one carried."""
    if plan.event is not None:
        order_events_record([plan.event])
    if plan.result.accepted and plan.claimed.work_report_ids:
        claimed = plan.claimed
        work_reports_mark_reported(report_ids=claimed.work_report_ids, email_id=claimed.id, sent_at=plan.finished_at)


def _attempt_row(
    email_id: int, result: SmtpResult, started_at: datetime.datetime, finished_at: datetime.datetime, worker: str
) -> DeliveryAttempt:
    return DeliveryAttempt(
        email_id=email_id,
        started_at=started_at,
        finished_at=finished_at,
        outcome=result.outcome,
        smtp_code=result.code,
        smtp_reply=result.reply,
        error=attempt_error(result),
        refused=dict(result.refused),
        worker=worker[:100],
    )


def _store_late(plan: AttemptPlan) -> str:
    """The lease was lost before the result came back: another worker owns the row now."""
    claimed, result = plan.claimed, plan.result
    current = OutgoingEmail.objects.select_for_update().only("id", "status").get(pk=claimed.id)
    logger.warning("email %s: result of an attempt whose lease had expired (%s)", claimed.id, result.describe())
    if result.accepted and OutgoingEmail.objects.filter(pk=claimed.id, status__in=Move.LATE_ACCEPT.sources).update(
        status=Move.LATE_ACCEPT.target,
        sent_at=plan.finished_at,
        smtp_reply=sent_reply(result),
        lease_token=None,
        lease_expires_at=None,
        next_attempt_at=None,
        failure_reason="",
    ):
        _recorded(plan)
        return Status.SENT
    return current.status


def _sent_event(claimed: ClaimedEmail, result: SmtpResult) -> OrderEvent:
    text = claimed.subject
    if result.refused:
        text += "\n" + refused_text(result)
    return OrderEvent(order_id=claimed.order_id, email_id=claimed.id, kind=OrderEvent.Kind.EMAIL_SENT, text=text)


def batch_store(
    *,
    batch: list[ClaimedEmail],
    result: SmtpResult,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    worker: str,
) -> list[AttemptRecorded]:
    """Records one failure for the rest of a batch at once (the server could not be reached).

    Their attempts are started and ended here, without talking to the server: one
    statement logs them all, one moves each group that shares its next moment.
    """
    assert not result.accepted
    config = outbox_settings()
    with transaction.atomic(savepoint=False):
        ours = set(
            OutgoingEmail.objects.filter(
                pk__in=[claimed.id for claimed in batch],
                lease_token=batch[0].lease_token,
                status__in=Move.POSTPONE.sources,
                next_attempt_at__isnull=False,
            ).values_list("id", flat=True)
        )
        mine = [claimed for claimed in batch if claimed.id in ours]
        DeliveryAttempt.objects.bulk_create(
            _attempt_row(claimed.id, result, started_at, finished_at, worker) for claimed in mine
        )
        postponed = result.outcome == Outcome.TEMPORARY
        recorded: dict[int, AttemptRecorded] = {}
        for attempt in sorted({claimed.attempt for claimed in mine}):
            group = [claimed for claimed in mine if claimed.attempt == attempt]
            rows = OutgoingEmail.objects.filter(pk__in=[claimed.id for claimed in group])
            common = {"attempt_count": F("attempt_count") + 1, "lease_token": None, "lease_expires_at": None}
            if postponed and attempt < config.max_attempts:
                due = ceil_second(finished_at + outbox_retry_delay(attempt=attempt))
                rows.update(status=Move.POSTPONE.target, next_attempt_at=due, **common)
                recorded.update((claimed.id, AttemptRecorded(Status.RETRY_WAIT, retry_at=due)) for claimed in group)
                continue
            reason = failure_reason(result, attempt=attempt)
            rows.update(status=Move.FAIL.target, next_attempt_at=None, failure_reason=reason, **common)
            order_events_record(
                OrderEvent(order_id=c.order_id, email_id=c.id, kind=OrderEvent.Kind.EMAIL_FAILED, text=reason)
                for c in group
            )
            recorded.update((claimed.id, AttemptRecorded(Status.FAILED)) for claimed in group)
    # Rows reclaimed meanwhile by another worker are its to record.
    return [recorded.get(claimed.id, AttemptRecorded("left")) for claimed in batch]
