"""The outbox's services called by people, through the composer and the archive.

Cancelling and retrying change what the client receives: both need the right to send
from the order (emails.policy), whichever page or API asks. Each is one transaction
that checks the move against the state table (states.py) and writes the order's
timeline; the delivery task is woken when the transaction commits.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.orders.models import OrderEvent
from organisatrice.orders.services import order_event_record
from organisatrice.people.models import Employee

from ..models import OutgoingEmail
from ..policy import ensure_can_send
from .states import (
    Move,
    OutboxError,
    OutboxTransitionError,
    Status,
    move_check,
    outbox_can_cancel,
    outbox_can_retry,
)
from .tasks import delivery_schedule_on_commit

# What the composer, the archive and the API use, from one place.
__all__ = [
    "OutboxError",
    "OutboxTransitionError",
    "outbox_can_cancel",
    "outbox_can_retry",
    "outbox_cancel",
    "outbox_enqueue",
    "outbox_retry",
]


def outbox_enqueue(*, email: OutgoingEmail) -> None:
    """Queues a just-frozen email; called inside the Send's transaction.

    The delivery task is enqueued when that transaction commits, so a worker never looks
    for a row that is not there yet, and a rolled-back Send leaves no task behind. A
    transaction that queues many emails wakes one task.
    """
    with transaction.atomic():
        now = timezone.now()
        # A row is created queued (the model's default): queueing it is making it due.
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
        delivery_schedule_on_commit()


def outbox_cancel(*, email: OutgoingEmail, actor: Employee) -> None:
    """Cancels an email that has not left yet (queued, or waiting for another attempt)."""
    ensure_can_send(employee=actor, order=email.order)
    with transaction.atomic():
        locked = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        move_check(locked, Move.CANCEL)
        locked.status = Move.CANCEL.target
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "next_attempt_at"])
        order_event_record(
            email_id=locked.pk, order_id=locked.order_id, kind=OrderEvent.Kind.EMAIL_CANCELLED, actor_id=actor.pk
        )
    email.status, email.next_attempt_at = locked.status, locked.next_attempt_at


def outbox_retry(*, email: OutgoingEmail, actor: Employee) -> None:
    """Queues a failed email again: the same bytes, the same Message-ID, a fresh set of attempts."""
    ensure_can_send(employee=actor, order=email.order)
    with transaction.atomic():
        locked = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        move_check(locked, Move.RETRY)
        locked.status = Move.RETRY.target
        locked.next_attempt_at = timezone.now()
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
        delivery_schedule_on_commit()
    email.status, email.next_attempt_at = locked.status, locked.next_attempt_at
    email.attempt_count, email.failure_reason = locked.attempt_count, locked.failure_reason
