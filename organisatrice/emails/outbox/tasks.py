"""The delivery task, its wake-ups, and the loop that sends what is due.

deliver_due_emails runs on any backend of the Tasks API (`manage.py db_worker`, an RQ
worker…). It is enqueued when a Send commits, at the end of each claim's lease and at each
retry's due time; it keeps no loop or sleep of its own beyond going through the batches
that are due now.

Wake-ups are not deduplicated by looking into a backend's own tables: a wake-up that finds
nothing due costs one claim query, so a spare one is harmless. They are kept few instead:
- a transaction that queues many emails (a batch of Sends) asks for one wake-up, on commit;
- one run of the task asks once for a helper while it finds full batches (the helper's run
  does the same, so idle workers join one by one), and at its end if work remains;
- the claims of one run whose leases end in the same second share the reclaim wake-up,
  as the retries of one run due in the same second share theirs.
On the database backend the wake-ups asked during a claim or a result are written in that
transaction: a claim never commits without the wake-up that would reclaim its rows.
"""

import datetime
import hashlib
import logging
import os
import socket
import time
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from organisatrice.content_store import blob_read

from .envelope import delivery_token
from .results import Outcome, SmtpResult, Stage
from .signals import email_accepted_on_commit
from .smtp import SmtpConnection
from .states import Status, ceil_second, outbox_settings
from .worker import AttemptRecorded, ClaimedEmail, attempt_plan, attempt_start, attempt_store, batch_store, claim_rows

logger = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@task()
def deliver_due_emails() -> dict[str, int]:
    """Sends every email that is due, a batch at a time, over one SMTP connection."""
    return deliver_due(worker=worker_name())


# --- Wake-ups ---------------------------------------------------------------------------


def delivery_schedule(*, at: datetime.datetime | None = None) -> None:
    """Enqueues one deliver_due_emails task, to run at `at` (or as soon as a worker is free)."""
    (deliver_due_emails if at is None else deliver_due_emails.using(run_after=at)).enqueue()


def delivery_schedule_on_commit() -> None:
    """Asks for a wake-up when the current transaction commits, once per transaction.

    Checked against the callbacks the transaction already holds, rather than a flag of
    our own: a rolled-back savepoint takes its callback with it, and the next call then
    registers again.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(callback[1] is delivery_schedule for callback in connection.run_on_commit):
        return
    transaction.on_commit(delivery_schedule, robust=True)


class Wakeups:
    """The wake-ups one run of the task asks for: a helper once, each later moment once."""

    def __init__(self) -> None:
        self._helper = False
        self._moments: set[datetime.datetime] = set()

    def helper(self) -> None:
        if not self._helper:
            self._helper = True
            delivery_schedule()

    def at(self, moment: datetime.datetime) -> None:
        if moment not in self._moments:
            self._moments.add(moment)
            delivery_schedule(at=moment)


# --- The worker's services: each one transaction ------------------------------------------


def outbox_claim_due(
    *, limit: int, now: datetime.datetime | None = None, wakeups: Wakeups | None = None
) -> list[ClaimedEmail]:
    """Claims up to `limit` due emails, with the wake-up that hands them on should this worker die."""
    wakeups = wakeups or Wakeups()
    with transaction.atomic(durable=True):
        claim = claim_rows(limit=limit, now=now)
        if claim.full:
            # More may be due: an idle worker can take the next batch meanwhile.
            wakeups.helper()
        if claim.emails:
            wakeups.at(ceil_second(claim.emails[0].lease_expires_at))
    return claim.emails


def outbox_attempt_start(*, claimed: ClaimedEmail) -> bool:
    """Marks the attempt as begun; False when the row is no longer this worker's."""
    with transaction.atomic(durable=True):
        return attempt_start(claimed=claimed)


def outbox_attempt_record(
    *,
    claimed: ClaimedEmail,
    result: SmtpResult,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    worker: str,
    start_next: ClaimedEmail | None = None,
    wakeups: Wakeups | None = None,
) -> AttemptRecorded:
    """Logs the attempt, moves the email by its outcome, and starts `start_next` (see attempt_store)."""
    # Built before the transaction opens, which then only executes it: on SQLite, the
    # write lock is held no longer than the statements take.
    plan = attempt_plan(
        claimed=claimed,
        result=result,
        started_at=started_at,
        finished_at=finished_at,
        worker=worker,
        start_next=start_next,
    )
    with transaction.atomic(durable=True):
        recorded = attempt_store(plan)
        if recorded.retry_at is not None:
            (wakeups or Wakeups()).at(recorded.retry_at)
        if result.accepted and recorded.status == Status.SENT:
            email_accepted_on_commit(email_id=claimed.id)
    return recorded


def outbox_batch_record(
    *,
    batch: list[ClaimedEmail],
    result: SmtpResult,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    worker: str,
    wakeups: Wakeups,
) -> list[AttemptRecorded]:
    """Records the same failure for the rest of a batch at once (see batch_store)."""
    with transaction.atomic(durable=True):
        recorded = batch_store(
            batch=batch, result=result, started_at=started_at, finished_at=finished_at, worker=worker
        )
        for moment in sorted({r.retry_at for r in recorded if r.retry_at is not None}):
            wakeups.at(moment)
    return recorded


# --- The delivery loop ----------------------------------------------------------------------


class _Undeliverable(Exception):
    def __init__(self, result: SmtpResult) -> None:
        super().__init__(result.error)
        self.result = result


def _frozen_message(claimed: ClaimedEmail) -> bytes:
    """The bytes archived at Send, checked against their SHA-256 before they leave."""
    try:
        raw = blob_read(claimed.raw_sha256)
    except FileNotFoundError as error:
        raise _Undeliverable(
            SmtpResult(Outcome.PERMANENT, Stage.LOCAL, error=_("Le message archivé est introuvable dans le stockage."))
        ) from error
    except Exception as error:
        # The storage (a disk, an S3 bucket) may well be back in a moment.
        raise _Undeliverable(
            SmtpResult(Outcome.TEMPORARY, Stage.LOCAL, error=f"{type(error).__name__}: {error}")
        ) from error
    if hashlib.sha256(raw).hexdigest() != claimed.raw_sha256:
        raise _Undeliverable(
            SmtpResult(
                Outcome.PERMANENT,
                Stage.LOCAL,
                error=_("Le message archivé ne correspond plus à son empreinte SHA-256 : il n'est pas envoyé."),
            )
        )
    return raw


def deliver_due(*, worker: str) -> dict[str, int]:
    """Claims due emails batch after batch and sends them; returns the count per new status.

    Stops when a claim finds less than a full batch (a full one has already woken
    another task for the rest), or when its time is up.
    """
    config = outbox_settings()
    deadline = time.monotonic() + config.task_seconds
    counts: Counter[str] = Counter()
    wakeups = Wakeups()

    def may_start(claimed: ClaimedEmail) -> bool:
        # Starting with less than half the lease left risks a reclaim while the message
        # is still on its way; the rest of the batch is reclaimed when the lease ends.
        return timezone.now() < claimed.lease_expires_at - config.lease / 2

    with SmtpConnection.from_settings() as smtp:
        while True:
            batch = outbox_claim_due(limit=config.batch_size, wakeups=wakeups)
            # Each record marks the next email as begun: one transaction per email.
            started = bool(batch) and may_start(batch[0]) and outbox_attempt_start(claimed=batch[0])
            for position, claimed in enumerate(batch):
                if not started:
                    # Out of time, or the lease was lost (the batch shares one): leave the rest.
                    counts["left"] += len(batch) - position
                    break
                started_at = timezone.now()
                result = _send(smtp, claimed)
                rest = batch[position + 1 :]
                if result.stage == Stage.CONNECT and rest:
                    # The server cannot be reached: the rest of the batch shares this
                    # result (and tries again with a later batch), not a connect each.
                    first = outbox_attempt_record(
                        claimed=claimed,
                        result=result,
                        started_at=started_at,
                        finished_at=timezone.now(),
                        worker=worker,
                        wakeups=wakeups,
                    )
                    counts[first.status] += 1
                    for recorded in outbox_batch_record(
                        batch=rest,
                        result=result,
                        started_at=started_at,
                        finished_at=timezone.now(),
                        worker=worker,
                        wakeups=wakeups,
                    ):
                        counts[recorded.status] += 1
                    logger.warning("%d emails: %s (%s)", len(batch) - position, result.outcome, result.describe())
                    break
                following = rest[0] if rest else None
                recorded = outbox_attempt_record(
                    claimed=claimed,
                    result=result,
                    started_at=started_at,
                    finished_at=timezone.now(),
                    worker=worker,
                    start_next=following if following is not None and may_start(following) else None,
                    wakeups=wakeups,
                )
                counts[recorded.status] += 1
                started = recorded.next_started
                if not result.accepted:
                    logger.warning("email %s: %s (%s)", claimed.id, result.outcome, result.describe())
            if len(batch) < config.batch_size:
                break
            if time.monotonic() > deadline:
                # Handing over with work left: a fresh task takes the next batches.
                delivery_schedule()
                break
    return dict(counts)


def _send(smtp: SmtpConnection, claimed: ClaimedEmail) -> SmtpResult:
    if not claimed.envelope_from or not claimed.recipients:
        return SmtpResult(
            Outcome.PERMANENT, Stage.LOCAL, error=_("Expéditeur ou destinataires absents : rien à envoyer.")
        )
    try:
        raw = _frozen_message(claimed)
    except _Undeliverable as undeliverable:
        return undeliverable.result
    return smtp.sendmail(claimed.envelope_from, claimed.recipients, raw, envid=delivery_token(claimed.id))
