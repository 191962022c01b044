"""The outbox's states and the one table of moves between them; its settings and errors.

    queued ───────claim──> sending ──accept──────────────────────> sent
    retry_wait ───claim──>   │     ──postpone (temporary failure)─> retry_wait (due after a back-off)
                             │     ──fail (permanent, or the──────> failed ──retry──> queued
                             │       last allowed attempt failed)
                             └──reclaim (lease expired)─────────> sending (same bytes, same Message-ID)
    queued, retry_wait ──cancel──> cancelled
    queued, sending, retry_wait, failed ──late_accept──> sent

Every service that moves an email names its Move; the rows it may change are those whose
status is one of the move's sources (`Move.X.sources`, used in the queries' filters), and
they go to its target. No other list of states exists.

Also here: what a worker's claim hands its delivery loop (ClaimedEmail, Claim).
"""

import datetime
import enum
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import DeliveryAttempt, OutgoingEmail

Status = OutgoingEmail.Status
Outcome = DeliveryAttempt.Outcome


class Move(enum.Enum):
    # People (the composer's Send, the archive's buttons).
    CANCEL = "cancel"
    RETRY = "retry"
    # The worker.
    CLAIM = "claim"
    RECLAIM = "reclaim"
    ACCEPT = "accept"
    POSTPONE = "postpone"
    FAIL = "fail"
    # A worker that lost its lease (stalled longer than the lease) may still come back
    # with the server's acceptance. The message did arrive: the row says so, whatever
    # happened to it meanwhile, rather than invite another send or show a failure that is
    # not one.
    LATE_ACCEPT = "late_accept"

    @property
    def sources(self) -> frozenset[str]:
        return MOVES[self][0]

    @property
    def target(self) -> str:
        return MOVES[self][1]


MOVES: dict[Move, tuple[frozenset[str], str]] = {
    Move.CANCEL: (frozenset({Status.QUEUED, Status.RETRY_WAIT}), Status.CANCELLED),
    Move.RETRY: (frozenset({Status.FAILED}), Status.QUEUED),
    Move.CLAIM: (frozenset({Status.QUEUED, Status.RETRY_WAIT}), Status.SENDING),
    Move.RECLAIM: (frozenset({Status.SENDING}), Status.SENDING),
    Move.ACCEPT: (frozenset({Status.SENDING}), Status.SENT),
    Move.POSTPONE: (frozenset({Status.SENDING}), Status.RETRY_WAIT),
    Move.FAIL: (frozenset({Status.SENDING}), Status.FAILED),
    Move.LATE_ACCEPT: (
        frozenset({Status.QUEUED, Status.SENDING, Status.RETRY_WAIT, Status.FAILED}),
        Status.SENT,
    ),
}


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


def move_check(email: OutgoingEmail, move: Move) -> None:
    """Raises OutboxTransitionError unless `move` may start from the email's status."""
    if email.status not in move.sources:
        raise OutboxTransitionError(email=email, current=email.status, target=move.target)


def outbox_can_cancel(*, email: OutgoingEmail) -> bool:
    """Whether the email still waits to be sent, so that cancelling it is a legal move."""
    return email.status in Move.CANCEL.sources


def outbox_can_retry(*, email: OutgoingEmail) -> bool:
    return email.status in Move.RETRY.sources


@dataclass(frozen=True)
class OutboxSettings:
    lease: datetime.timedelta
    max_attempts: int
    retry_base: datetime.timedelta
    retry_max: datetime.timedelta
    batch_size: int
    # How long one task keeps claiming batches before it hands over to a fresh task.
    task_seconds: float


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
    lease_token: uuid.UUID
    lease_expires_at: datetime.datetime
    work_report_ids: tuple[int, ...]


@dataclass(frozen=True)
class Claim:
    emails: list[ClaimedEmail]
    # As many rows as asked for: more may be due, for another worker to take meanwhile.
    full: bool


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


def outbox_retry_delay(*, attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1, 2, …): base·2^(attempt-1), capped."""
    config = outbox_settings()
    return min(config.retry_base * 2 ** max(0, attempt - 1), config.retry_max)


def ceil_second(moment: datetime.datetime) -> datetime.datetime:
    """Rounded up to the whole second: rows that become due together share one wake-up."""
    if moment.microsecond:
        return moment.replace(microsecond=0) + datetime.timedelta(seconds=1)
    return moment
