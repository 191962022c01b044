"""The outbox state machine, service by service; SMTP results are given, not sent."""

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from organisatrice.emails.models import DeliveryAttempt, OutgoingEmail
from organisatrice.emails.outbox.envelope import envelope_recipients, envelope_sender, verp_address
from organisatrice.emails.outbox.results import SmtpResult, Stage
from organisatrice.emails.outbox.services import (
    OutboxError,
    OutboxTransitionError,
    outbox_cancel,
    outbox_enqueue,
    outbox_retry,
)
from organisatrice.emails.outbox.states import outbox_retry_delay
from organisatrice.emails.outbox.tasks import outbox_attempt_record, outbox_attempt_start, outbox_claim_due
from organisatrice.orders.models import OrderEvent
from tests.emails.outgoing import a_dispatcher, outgoing_email_create

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
Outcome = DeliveryAttempt.Outcome
ACCEPTED = SmtpResult(Outcome.SENT, Stage.DATA, 250, "2.0.0 Ok: queued as 4F2A")
TRY_LATER = SmtpResult(Outcome.TEMPORARY, Stage.DATA, 451, "4.3.0 Try again later")
REFUSED = SmtpResult(Outcome.PERMANENT, Stage.DATA, 550, "5.7.1 Refused by policy")

DELIVERY_TASK = "organisatrice.emails.outbox.tasks.deliver_due_emails"


def delivery_tasks(**filters) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=DELIVERY_TASK, **filters).order_by("run_after"))


def attempt(email: OutgoingEmail, result: SmtpResult, *, worker: str = "test-worker") -> str:
    """One whole attempt as the worker makes it: claim, start, (talk SMTP,) record."""
    [claimed] = [c for c in outbox_claim_due(limit=10) if c.id == email.pk]
    assert outbox_attempt_start(claimed=claimed)
    now = timezone.now()
    return outbox_attempt_record(claimed=claimed, result=result, started_at=now, finished_at=now, worker=worker).status


def make_due(email: OutgoingEmail) -> None:
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def events(email: OutgoingEmail) -> list[str]:
    return list(OrderEvent.objects.filter(email=email).order_by("id").values_list("kind", flat=True))


# --- Enqueue ----------------------------------------------------------------------------


def test_enqueue_makes_the_email_due_now_and_writes_the_timeline(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = outgoing_email_create()

    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert email.next_attempt_at is not None and email.next_attempt_at <= timezone.now()
    event = OrderEvent.objects.get(email=email)
    assert (event.kind, event.actor, event.order) == (OrderEvent.Kind.EMAIL_QUEUED, email.sender, email.order)
    [task] = delivery_tasks()
    assert task.status == TaskResultStatus.READY


def test_the_task_is_enqueued_only_when_the_send_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        outgoing_email_create()
        assert delivery_tasks() == []
    assert len(callbacks) == 1


def test_a_batch_of_sends_wakes_one_task_not_one_per_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            outgoing_email_create()

    assert len(delivery_tasks()) == 1


def test_enqueue_refuses_an_email_that_is_not_queued():
    email = outgoing_email_create()
    OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.SENT)
    email.status = Status.SENT

    with pytest.raises(OutboxTransitionError):
        outbox_enqueue(email=email)


# --- Envelope ---------------------------------------------------------------------------


def test_envelope_takes_to_cc_and_bcc_once_each_and_the_from_address():
    email = outgoing_email_create(
        to=[{"name": "Anne Favre", "email": "anne@gerance.ch"}],
        cc=[{"name": "", "email": "ANNE@gerance.ch"}, {"name": "Marc", "email": "marc@gerance.ch"}],
        bcc=[{"name": "Moi", "email": "moi@dupont-sa.ch"}],
    )

    assert envelope_recipients(email) == ["anne@gerance.ch", "marc@gerance.ch", "moi@dupont-sa.ch"]
    # Its own envelope sender (VERP), so that a bounce names the email it is about.
    assert envelope_sender(email) == verp_address("envoi@dupont-sa.ch", email.pk)
    assert envelope_sender(email).startswith(f"envoi+e{email.pk}-")


# --- Claim ------------------------------------------------------------------------------


def test_claim_takes_due_emails_under_a_lease(settings):
    settings.EMAIL_OUTBOX_LEASE_SECONDS = 300
    email = outgoing_email_create()

    [claimed] = outbox_claim_due(limit=10)

    email.refresh_from_db()
    assert email.status == Status.SENDING
    assert (email.lease_token, email.lease_expires_at) == (claimed.lease_token, claimed.lease_expires_at)
    assert claimed.lease_expires_at - timezone.now() > datetime.timedelta(seconds=295)
    assert (claimed.message_id, claimed.attempt) == (email.message_id, 1)
    assert outbox_claim_due(limit=10) == []


def test_claim_schedules_the_reclaim_at_the_end_of_the_lease():
    outgoing_email_create()

    [claimed] = outbox_claim_due(limit=10)

    [task] = delivery_tasks()
    assert claimed.lease_expires_at <= task.run_after < claimed.lease_expires_at + datetime.timedelta(seconds=1)


def test_claim_respects_the_batch_size_and_wakes_another_task_for_the_rest():
    for _ in range(3):
        outgoing_email_create()

    assert len(outbox_claim_due(limit=2)) == 2

    # One task for the end of the lease, one due now for the third email.
    assert len(delivery_tasks()) == 2
    assert len(outbox_claim_due(limit=2)) == 1


def test_claim_leaves_emails_waiting_for_a_later_attempt_and_cancelled_ones():
    waiting = outgoing_email_create()
    OutgoingEmail.objects.filter(pk=waiting.pk).update(
        status=Status.RETRY_WAIT, next_attempt_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    cancelled = outgoing_email_create()
    outbox_cancel(email=cancelled, actor=a_dispatcher())

    assert outbox_claim_due(limit=10) == []


# --- Recording attempts -----------------------------------------------------------------


def test_acceptance_marks_the_email_sent_and_logs_the_attempt():
    email = outgoing_email_create()

    assert attempt(email, ACCEPTED, worker="host:42") == Status.SENT

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.sent_at is not None
    assert email.smtp_reply == "250 2.0.0 Ok: queued as 4F2A"
    assert email.lease_expires_at is None
    assert email.attempt_count == 1
    [logged] = email.attempts.all()
    assert (logged.outcome, logged.smtp_code, logged.smtp_reply, logged.worker) == (
        Outcome.SENT,
        250,
        "2.0.0 Ok: queued as 4F2A",
        "host:42",
    )
    assert events(email) == [OrderEvent.Kind.EMAIL_QUEUED, OrderEvent.Kind.EMAIL_SENT]


@pytest.mark.parametrize("attempt_number", [1, 2, 3, 7])
def test_back_off_doubles_from_thirty_seconds(settings, attempt_number):
    settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS = 30
    settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS = 3600

    assert outbox_retry_delay(attempt=attempt_number) == datetime.timedelta(seconds=30 * 2 ** (attempt_number - 1))


def test_back_off_is_capped(settings):
    settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS = 600

    assert outbox_retry_delay(attempt=8) == datetime.timedelta(seconds=600)


def test_temporary_failure_waits_and_schedules_the_next_attempt():
    email = outgoing_email_create()

    assert attempt(email, TRY_LATER) == Status.RETRY_WAIT

    email.refresh_from_db()
    assert email.status == Status.RETRY_WAIT
    assert email.next_attempt_at is not None
    wait = email.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=28) < wait <= datetime.timedelta(seconds=31)
    assert email.next_attempt_at in [task.run_after for task in delivery_tasks()]
    assert outbox_claim_due(limit=10) == []
    make_due(email)
    [claimed] = outbox_claim_due(limit=10)
    assert claimed.attempt == 2


def test_permanent_failure_fails_at_once_with_the_servers_reason():
    email = outgoing_email_create()

    assert attempt(email, REFUSED) == Status.FAILED

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "550 5.7.1 Refused by policy" in email.failure_reason
    assert email.failure_reason.startswith("Refus définitif")
    assert events(email)[-1] == OrderEvent.Kind.EMAIL_FAILED
    assert OrderEvent.objects.get(email=email, kind=OrderEvent.Kind.EMAIL_FAILED).text == email.failure_reason


def test_the_last_allowed_temporary_failure_fails_the_email(settings):
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3
    email = outgoing_email_create()

    statuses = []
    for _ in range(3):
        statuses.append(attempt(email, TRY_LATER))
        make_due(email)

    assert statuses == [Status.RETRY_WAIT, Status.RETRY_WAIT, Status.FAILED]
    email.refresh_from_db()
    assert email.failure_reason.startswith("Abandon après 3 tentatives")
    assert "451 4.3.0 Try again later" in email.failure_reason
    assert email.attempts.count() == 3


def test_partial_refusal_is_sent_and_says_who_was_refused():
    email = outgoing_email_create()
    result = SmtpResult(Outcome.SENT, Stage.DATA, 250, "Ok", refused={"gone@gerance.ch": "550 5.1.1 unknown"})

    attempt(email, result)

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert "gone@gerance.ch (550 5.1.1 unknown)" in email.smtp_reply
    assert "gone@gerance.ch" in email.attempts.get().error
    assert "gone@gerance.ch" in OrderEvent.objects.get(email=email, kind=OrderEvent.Kind.EMAIL_SENT).text


# --- Leases -------------------------------------------------------------------------------


def test_a_row_whose_worker_died_before_reaching_it_is_reclaimed_without_counting_an_attempt():
    email = outgoing_email_create()
    [first] = outbox_claim_due(limit=10)

    [again] = outbox_claim_due(limit=10, now=first.lease_expires_at + datetime.timedelta(seconds=1))

    assert again.id == email.pk
    assert again.attempt == 1
    assert email.attempts.count() == 0


def test_an_interrupted_attempt_is_logged_and_the_email_sent_again_with_the_same_message_id():
    email = outgoing_email_create()
    [first] = outbox_claim_due(limit=10)
    assert outbox_attempt_start(claimed=first)
    # The worker dies while talking to the server: nothing is recorded.

    [again] = outbox_claim_due(limit=10, now=first.lease_expires_at + datetime.timedelta(seconds=1))

    assert (again.id, again.message_id, again.raw_sha256) == (email.pk, email.message_id, email.raw_sha256)
    assert again.attempt == 2
    [interrupted] = email.attempts.all()
    assert interrupted.outcome == Outcome.TEMPORARY
    assert "interrompue" in interrupted.error
    assert interrupted.finished_at == first.lease_expires_at


def test_a_worker_that_lost_its_lease_neither_sends_nor_overwrites():
    email = outgoing_email_create()
    [stale] = outbox_claim_due(limit=10)
    [current] = outbox_claim_due(limit=10, now=stale.lease_expires_at + datetime.timedelta(seconds=1))

    assert not outbox_attempt_start(claimed=stale)
    assert outbox_attempt_start(claimed=current)
    now = timezone.now()
    outbox_attempt_record(claimed=current, result=TRY_LATER, started_at=now, finished_at=now, worker="b")

    email.refresh_from_db()
    assert email.status == Status.RETRY_WAIT


def test_a_late_acceptance_from_a_stalled_worker_still_counts_as_sent():
    email = outgoing_email_create()
    [stalled] = outbox_claim_due(limit=10)
    assert outbox_attempt_start(claimed=stalled)
    [current] = outbox_claim_due(limit=10, now=stalled.lease_expires_at + datetime.timedelta(seconds=1))
    assert outbox_attempt_start(claimed=current)
    now = timezone.now()
    outbox_attempt_record(claimed=current, result=TRY_LATER, started_at=now, finished_at=now, worker="b")

    recorded = outbox_attempt_record(claimed=stalled, result=ACCEPTED, started_at=now, finished_at=now, worker="a")

    assert recorded.status == Status.SENT
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.next_attempt_at is None
    assert events(email).count(OrderEvent.Kind.EMAIL_SENT) == 1


def test_a_late_result_after_the_email_was_sent_is_only_logged():
    email = outgoing_email_create()
    [stalled] = outbox_claim_due(limit=10)
    assert outbox_attempt_start(claimed=stalled)
    [current] = outbox_claim_due(limit=10, now=stalled.lease_expires_at + datetime.timedelta(seconds=1))
    assert outbox_attempt_start(claimed=current)
    now = timezone.now()
    outbox_attempt_record(claimed=current, result=ACCEPTED, started_at=now, finished_at=now, worker="b")
    sent_at = OutgoingEmail.objects.get(pk=email.pk).sent_at

    for late in (ACCEPTED, REFUSED):
        recorded = outbox_attempt_record(claimed=stalled, result=late, started_at=now, finished_at=now, worker="a")
        assert recorded.status == Status.SENT

    email.refresh_from_db()
    assert (email.status, email.sent_at) == (Status.SENT, sent_at)
    assert events(email).count(OrderEvent.Kind.EMAIL_SENT) == 1
    assert email.attempts.count() == 4  # interrupted, b's, and a's two late results


def test_a_row_that_keeps_killing_its_worker_fails_after_the_last_attempt(settings):
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 2
    email = outgoing_email_create()
    now = timezone.now()
    for _ in range(2):
        [claimed] = outbox_claim_due(limit=10, now=now)
        assert outbox_attempt_start(claimed=claimed)
        now = claimed.lease_expires_at + datetime.timedelta(seconds=1)

    assert outbox_claim_due(limit=10, now=now) == []

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "interrompue" in email.failure_reason
    assert email.lease_expires_at is None
    assert events(email)[-1] == OrderEvent.Kind.EMAIL_FAILED


# --- Cancel and retry ---------------------------------------------------------------------


def test_cancel_a_queued_email():
    email = outgoing_email_create()
    actor = a_dispatcher()

    outbox_cancel(email=email, actor=actor)

    assert email.status == Status.CANCELLED
    event = OrderEvent.objects.get(email=email, kind=OrderEvent.Kind.EMAIL_CANCELLED)
    assert event.actor == actor


def test_cancel_an_email_waiting_for_another_attempt():
    email = outgoing_email_create()
    attempt(email, TRY_LATER)

    outbox_cancel(email=email, actor=a_dispatcher())

    email.refresh_from_db()
    assert (email.status, email.next_attempt_at) == (Status.CANCELLED, None)
    make_due(email)
    assert outbox_claim_due(limit=10) == []


def test_retry_a_failed_email_queues_the_same_message_with_fresh_attempts():
    email = outgoing_email_create()
    attempt(email, REFUSED)
    actor = a_dispatcher()

    outbox_retry(email=email, actor=actor)

    email.refresh_from_db()
    assert (email.status, email.attempt_count, email.failure_reason) == (Status.QUEUED, 0, "")
    assert OrderEvent.objects.filter(email=email, kind=OrderEvent.Kind.EMAIL_QUEUED, actor=actor).exists()
    [claimed] = outbox_claim_due(limit=10)
    assert (claimed.message_id, claimed.raw_sha256, claimed.attempt) == (email.message_id, email.raw_sha256, 1)
    assert email.attempts.count() == 1  # the history stays


def sent_email() -> OutgoingEmail:
    email = outgoing_email_create()
    attempt(email, ACCEPTED)
    email.refresh_from_db()
    return email


def sending_email() -> OutgoingEmail:
    email = outgoing_email_create()
    outbox_claim_due(limit=10)
    email.refresh_from_db()
    return email


def failed_email() -> OutgoingEmail:
    email = outgoing_email_create()
    attempt(email, REFUSED)
    email.refresh_from_db()
    return email


def cancelled_email() -> OutgoingEmail:
    email = outgoing_email_create()
    outbox_cancel(email=email, actor=a_dispatcher())
    return email


@pytest.mark.parametrize(
    ("make", "service"),
    [
        (sent_email, outbox_cancel),
        (sending_email, outbox_cancel),
        (failed_email, outbox_cancel),
        (cancelled_email, outbox_cancel),
        (sent_email, outbox_retry),
        (sending_email, outbox_retry),
        (cancelled_email, outbox_retry),
        (outgoing_email_create, outbox_retry),
    ],
)
def test_illegal_moves_raise_and_change_nothing(make, service):
    email = make()
    before = (email.status, OrderEvent.objects.filter(email=email).count())

    with pytest.raises(OutboxError) as raised:
        service(email=email, actor=a_dispatcher())

    email.refresh_from_db()
    assert (email.status, OrderEvent.objects.filter(email=email).count()) == before
    assert "Impossible de passer cet eMail" in str(raised.value)
