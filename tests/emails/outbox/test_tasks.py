"""deliver_due_emails against a real SMTP server, run in the test process."""

import datetime

import pytest
from django.db import connections
from django.utils import timezone

from organisatrice.content_store import blob_read
from organisatrice.emails.models import DeliveryAttempt, OutgoingEmail
from organisatrice.emails.outbox.envelope import verp_address
from organisatrice.emails.outbox.services import outbox_cancel, outbox_retry
from organisatrice.emails.outbox.tasks import deliver_due_emails, outbox_claim_due
from organisatrice.orders.models import OrderEvent
from tests.emails.outgoing import (
    Attachment,
    a_dispatcher,
    a_work_report,
    an_order,
    outgoing_email_create,
    pdf_like,
)
from tests.smtp_server import SilentServer, free_port

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
Outcome = DeliveryAttempt.Outcome


def deliver() -> dict[str, int]:
    return deliver_due_emails.call()


def make_due(email: OutgoingEmail) -> None:
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def reloaded(email: OutgoingEmail) -> OutgoingEmail:
    email.refresh_from_db()
    return email


def test_the_server_receives_exactly_the_archived_bytes(smtp_server, smtp_settings):
    email = outgoing_email_create(attachments=[Attachment("Rapport 2026-00001.pdf", pdf_like(seed=1))])

    assert deliver() == {Status.SENT: 1}

    [received] = smtp_server.received
    assert received.data == blob_read(email.raw_sha256)
    assert received.message_id == email.message_id
    assert received.mail_from == verp_address("envoi@dupont-sa.ch", email.pk)
    email = reloaded(email)
    assert email.status == Status.SENT
    assert email.smtp_reply == "250 2.0.0 Ok: queued as T1"
    [logged] = email.attempts.all()
    assert (logged.outcome, logged.smtp_code) == (Outcome.SENT, 250)
    assert logged.started_at <= logged.finished_at == email.sent_at
    assert logged.worker


def test_bcc_addresses_are_in_the_envelope_only(smtp_server, smtp_settings):
    outgoing_email_create(
        to=[{"name": "Anne Favre", "email": "anne@gerance.ch"}],
        cc=[{"name": "Marc Roux", "email": "marc@gerance.ch"}],
        bcc=[{"name": "Moi", "email": "moi@dupont-sa.ch"}, {"name": "Archive", "email": "archive@dupont-sa.ch"}],
    )

    deliver()

    [received] = smtp_server.received
    assert received.rcpt_tos == ["anne@gerance.ch", "marc@gerance.ch", "moi@dupont-sa.ch", "archive@dupont-sa.ch"]
    assert b"moi@dupont-sa.ch" not in received.data
    assert b"archive@dupont-sa.ch" not in received.data
    assert "Bcc" not in received.message


def test_due_emails_share_one_connection(smtp_server, smtp_settings, settings):
    settings.EMAIL_OUTBOX_BATCH_SIZE = 2
    emails = [outgoing_email_create() for _ in range(5)]

    assert deliver() == {Status.SENT: 5}

    assert sorted(smtp_server.message_ids()) == sorted(e.message_id for e in emails)
    assert {m.connection for m in smtp_server.received} == {1}


def test_delivery_over_starttls_with_login(smtp_tls_server, smtp_tls_settings):
    email = outgoing_email_create()

    assert deliver() == {Status.SENT: 1}

    [received] = smtp_tls_server.received
    assert received.tls
    assert received.login == smtp_tls_settings.EMAIL_HOST_USER
    assert received.data == blob_read(email.raw_sha256)


@pytest.mark.parametrize("reply", ["421 4.3.2 Service not available, closing channel", "451 4.3.0 Try again later"])
def test_temporary_refusals_are_retried_then_succeed(smtp_server, smtp_settings, reply):
    email = outgoing_email_create()
    smtp_server.fail_next(reply, count=2)

    statuses = []
    for _ in range(3):
        statuses.append(deliver())
        make_due(email)

    assert statuses == [{Status.RETRY_WAIT: 1}, {Status.RETRY_WAIT: 1}, {Status.SENT: 1}]
    email = reloaded(email)
    assert email.status == Status.SENT
    assert [(a.outcome, a.smtp_code) for a in email.attempts.all()] == [
        (Outcome.TEMPORARY, int(reply[:3])),
        (Outcome.TEMPORARY, int(reply[:3])),
        (Outcome.SENT, 250),
    ]
    assert [m.message_id for _reply, m in smtp_server.answered] == [email.message_id] * 2
    assert smtp_server.message_ids() == [email.message_id]


def test_a_permanent_refusal_fails_with_the_servers_reason(smtp_server, smtp_settings):
    email = outgoing_email_create()
    smtp_server.fail_next("550 5.7.1 Message rejected as spam")

    assert deliver() == {Status.FAILED: 1}

    email = reloaded(email)
    assert email.status == Status.FAILED
    assert "550 5.7.1 Message rejected as spam" in email.failure_reason
    make_due(email)
    assert deliver() == {}
    assert smtp_server.received == []


def test_a_server_that_is_down_is_retried(smtp_server, smtp_settings):
    email = outgoing_email_create()
    smtp_settings.EMAIL_PORT = free_port()

    assert deliver() == {Status.RETRY_WAIT: 1}
    assert "ConnectionRefusedError" in email.attempts.get().error

    smtp_settings.EMAIL_PORT = smtp_server.port
    make_due(email)
    assert deliver() == {Status.SENT: 1}
    assert smtp_server.message_ids() == [email.message_id]


def test_a_hung_server_times_out_and_is_retried(smtp_settings):
    email = outgoing_email_create()
    smtp_settings.EMAIL_TIMEOUT = 0.3
    with SilentServer() as silent:
        smtp_settings.EMAIL_PORT = silent.port
        assert deliver() == {Status.RETRY_WAIT: 1}

    assert "timed out" in reloaded(email).attempts.get().error


def test_while_the_server_is_down_a_batch_tries_to_connect_once(smtp_settings):
    emails = [outgoing_email_create() for _ in range(3)]
    smtp_settings.EMAIL_TIMEOUT = 0.3
    with SilentServer() as silent:
        smtp_settings.EMAIL_PORT = silent.port
        assert deliver() == {Status.RETRY_WAIT: 3}
        assert len(silent.accepted) == 1

    assert all(reloaded(e).attempts.get().outcome == Outcome.TEMPORARY for e in emails)


def test_a_connection_dropped_after_data_is_retried_with_the_same_message_id(smtp_server, smtp_settings):
    email = outgoing_email_create()
    smtp_server.drop_next()

    assert deliver() == {Status.RETRY_WAIT: 1}
    make_due(email)
    assert deliver() == {Status.SENT: 1}

    [dropped] = smtp_server.dropped
    [received] = smtp_server.received
    assert dropped.message_id == received.message_id == email.message_id
    assert dropped.data == received.data == blob_read(email.raw_sha256)


def test_a_crashed_workers_email_is_sent_again_after_its_lease(smtp_server, smtp_settings):
    email = outgoing_email_create()
    outbox_claim_due(limit=10)
    # The worker dies here. Its lease ends:
    OutgoingEmail.objects.filter(pk=email.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert deliver() == {Status.SENT: 1}

    assert smtp_server.message_ids() == [email.message_id]
    assert reloaded(email).attempts.get().outcome == Outcome.SENT


def test_a_batch_without_enough_lease_left_is_left_for_a_later_claim(smtp_server, smtp_settings):
    emails = [outgoing_email_create() for _ in range(3)]
    smtp_settings.EMAIL_OUTBOX_LEASE_SECONDS = 0

    assert deliver() == {"left": 3}
    assert smtp_server.received == []

    smtp_settings.EMAIL_OUTBOX_LEASE_SECONDS = 300
    assert deliver() == {Status.SENT: 3}
    # Never started before, so never counted as an attempt.
    assert [reloaded(e).attempt_count for e in emails] == [1, 1, 1]
    assert DeliveryAttempt.objects.filter(outcome=Outcome.TEMPORARY).count() == 0


def test_a_cancelled_email_is_not_sent(smtp_server, smtp_settings):
    email = outgoing_email_create()
    smtp_server.fail_next("451 4.3.0 Try again later")
    deliver()

    outbox_cancel(email=email, actor=a_dispatcher())
    make_due(email)

    assert deliver() == {}
    assert smtp_server.received == []


def test_a_failed_email_retried_by_a_person_goes_out_with_the_same_message_id(smtp_server, smtp_settings):
    email = outgoing_email_create()
    smtp_server.fail_next("554 5.3.0 Temporary policy trouble")
    deliver()

    outbox_retry(email=reloaded(email), actor=a_dispatcher())
    assert deliver() == {Status.SENT: 1}

    [(_reply, refused)] = smtp_server.answered
    assert refused.data == smtp_server.received[0].data
    assert smtp_server.message_ids() == [email.message_id]


def test_a_missing_archived_message_fails_with_a_clear_reason(smtp_server, smtp_settings):
    email = outgoing_email_create()
    OutgoingEmail.objects.filter(pk=email.pk).update(raw_sha256="0" * 64)

    assert deliver() == {Status.FAILED: 1}

    assert "introuvable" in reloaded(email).failure_reason
    assert smtp_server.received == []


def test_a_message_that_does_not_match_its_hash_is_not_sent(smtp_server, smtp_settings):
    other = outgoing_email_create(subject="Un autre message", enqueue=False)
    email = outgoing_email_create()
    # The row now points at bytes stored under another name: as if the file were altered.
    (smtp_settings.MEDIA_ROOT / "blobs" / email.raw_sha256[:2] / email.raw_sha256).write_bytes(
        blob_read(other.raw_sha256)
    )

    assert deliver() == {Status.FAILED: 1}

    assert "SHA-256" in reloaded(email).failure_reason
    assert smtp_server.received == []


# --- The billing mark ---------------------------------------------------------------------


def test_a_sent_work_report_marks_the_report_and_the_order_once(smtp_server, smtp_settings):
    order = an_order()
    report = a_work_report(order=order)
    attachment = Attachment("Rapport.pdf", pdf_like(4096), work_report=report)
    first = outgoing_email_create(order=order, attachments=[attachment])
    deliver()
    second = outgoing_email_create(order=order, attachments=[attachment])
    deliver()

    report.refresh_from_db()
    order.refresh_from_db()
    first, second = reloaded(first), reloaded(second)
    assert second.status == Status.SENT
    assert report.reported_email == first
    assert report.reported_at == first.sent_at
    assert order.reported_at == first.sent_at
    [reported] = OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.REPORTED)
    assert reported.email == first
    assert reported.text.startswith("Rapport n° 1 du 20.11.2026 · ")


def test_an_email_that_fails_marks_nothing(smtp_server, smtp_settings):
    report = a_work_report()
    outgoing_email_create(order=report.order, attachments=[Attachment("Rapport.pdf", b"%PDF", work_report=report)])
    smtp_server.fail_next("550 5.7.1 No")

    deliver()

    report.refresh_from_db()
    report.order.refresh_from_db()
    assert (report.reported_at, report.reported_email, report.order.reported_at) == (None, None, None)


def test_an_email_without_a_work_report_marks_nothing(smtp_server, smtp_settings):
    order = an_order()
    outgoing_email_create(order=order, attachments=[Attachment("Offre.pdf", b"%PDF")])

    deliver()

    order.refresh_from_db()
    assert order.reported_at is None


# --- The timeline -------------------------------------------------------------------------


def test_the_orders_timeline_tells_the_story(smtp_server, smtp_settings):
    report = a_work_report()
    email = outgoing_email_create(
        order=report.order, attachments=[Attachment("Rapport.pdf", b"%PDF", work_report=report)]
    )
    smtp_server.fail_next("451 4.3.0 Later")
    deliver()
    make_due(email)
    deliver()

    timeline = OrderEvent.objects.filter(order=report.order).order_by("id")
    assert [(e.kind, e.email_id) for e in timeline] == [
        (OrderEvent.Kind.EMAIL_QUEUED, email.pk),
        (OrderEvent.Kind.EMAIL_SENT, email.pk),
        (OrderEvent.Kind.REPORTED, email.pk),
    ]
    assert timeline[0].actor == email.sender


# --- No transaction while talking SMTP ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_no_database_transaction_is_open_while_the_server_is_talked_to(smtp_server, smtp_settings):
    # This thread's connection, the one deliver() uses (django.db.connection is per thread).
    worker_connection = connections["default"]
    seen: list[bool] = []
    original = smtp_server.handler.handle_DATA

    async def watching(server, session, envelope):
        seen.append(worker_connection.in_atomic_block)
        return await original(server, session, envelope)

    smtp_server.handler.handle_DATA = watching
    outgoing_email_create()
    outgoing_email_create()

    deliver()

    assert seen == [False, False]
