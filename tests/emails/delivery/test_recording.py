"""What a report does to its email: tied by VERP, ENVID or Message-ID, each recipient moved once."""

import pytest
from django.utils import timezone

from organisatrice.content_store import blob_read
from organisatrice.emails.delivery.parsing import bounce_parse
from organisatrice.emails.delivery.selectors import email_recipients, hard_bounce_warnings
from organisatrice.emails.delivery.services import delivery_report_record, recipients_record_sent
from organisatrice.emails.models import DeliveryReport, EmailRecipient, HardBouncedAddress, OutgoingEmail
from organisatrice.orders.models import OrderEvent
from tests.emails.delivery.reports import auto_reply_for, dsn_for
from tests.emails.outgoing import outgoing_email_create

pytestmark = pytest.mark.django_db
Status = EmailRecipient.Status
UNKNOWN = ("inconnu@gerance.ch", "5.1.1", "550 5.1.1 <inconnu@gerance.ch>: Recipient address rejected: User unknown")


def sent_email(**kwargs) -> OutgoingEmail:
    kwargs.setdefault("to", [{"name": "Anne Favre", "email": "anne@gerance.ch"}, {"name": "", "email": UNKNOWN[0]}])
    kwargs.setdefault("cc", [{"name": "Compta", "email": "compta@gerance.ch"}])
    email = outgoing_email_create(enqueue=False, **kwargs)
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    email.refresh_from_db()
    return email


def record(raw: bytes) -> DeliveryReport | None:
    return delivery_report_record(raw=raw, parsed=bounce_parse(raw))


def statuses(email: OutgoingEmail) -> dict[str, tuple[str, str, str]]:
    return {row.address: (row.status, row.bounce, row.status_code) for row in email_recipients(email)}


def test_a_bounce_tied_by_its_verp_address_marks_that_recipient_bounced_hard():
    email = sent_email()
    raw = dsn_for(email, failed=[UNKNOWN], envid=False, returned_message_id=False)

    report = record(raw)

    assert report is not None and (report.email_id, report.matched_by) == (email.pk, "verp")
    assert blob_read(report.raw_sha256) == raw
    assert statuses(email) == {
        "anne@gerance.ch": (Status.ACCEPTED, "", ""),
        "inconnu@gerance.ch": (Status.BOUNCED, "hard", "5.1.1"),
        "compta@gerance.ch": (Status.ACCEPTED, "", ""),
    }
    email.refresh_from_db()
    assert email.delivery == OutgoingEmail.Delivery.PARTLY_BOUNCED
    [event] = OrderEvent.objects.filter(email=email, kind=OrderEvent.Kind.EMAIL_FAILED)
    assert "inconnu@gerance.ch" in event.text and "5.1.1" in event.text
    marked = HardBouncedAddress.objects.get(address="inconnu@gerance.ch")
    assert (marked.status_code, marked.email_id) == ("5.1.1", email.pk)


def test_without_verp_the_envid_ties_it_and_without_either_the_returned_message_id(settings):
    by_envid, by_message_id = sent_email(), sent_email()

    assert record(dsn_for(by_envid, failed=[UNKNOWN], verp=False, returned_message_id=False)).matched_by == "envid"
    assert record(dsn_for(by_message_id, failed=[UNKNOWN], verp=False, envid=False)).matched_by == "message_id"
    assert statuses(by_message_id)[UNKNOWN[0]][0] == Status.BOUNCED


def test_a_forged_token_or_a_foreign_message_ties_to_nothing_and_nothing_is_kept():
    email = sent_email()
    raw = dsn_for(email, failed=[UNKNOWN], returned_message_id=False)
    token = raw.split(b"+e", 1)[1].split(b"@", 1)[0]  # "42-0123456789"
    forged_id, signature = token.split(b"-")
    forged = raw.replace(token, forged_id + b"-" + bytes(reversed(signature)))

    assert record(forged) is None
    assert not DeliveryReport.objects.exists()
    assert statuses(email)[UNKNOWN[0]][0] == Status.ACCEPTED


def test_the_same_report_read_twice_counts_once():
    email = sent_email()
    raw = dsn_for(email, failed=[UNKNOWN])

    first, second = record(raw), record(raw)

    assert first == second
    assert OrderEvent.objects.filter(email=email, kind=OrderEvent.Kind.EMAIL_FAILED).count() == 1


def test_a_delay_then_a_success_then_a_late_delay_end_delivered():
    email = sent_email(to=[{"name": "", "email": "anne@gerance.ch"}], cc=[])
    delay = ("anne@gerance.ch", "4.4.1", "connect to mx.gerance.ch: Connection timed out")

    record(dsn_for(email, delayed=[delay]))
    assert statuses(email)["anne@gerance.ch"][0] == Status.DEFERRED
    record(dsn_for(email, delivered=["anne@gerance.ch"]))
    record(dsn_for(email, delayed=[delay], boundary="LATE"))

    assert statuses(email)["anne@gerance.ch"][0] == Status.DELIVERED
    email.refresh_from_db()
    assert email.delivery == OutgoingEmail.Delivery.DELIVERED


def test_an_out_of_office_says_the_message_arrived():
    email = sent_email()
    report = record(auto_reply_for(email, replier="Anne Favre <anne@gerance.ch>"))

    assert report.kind == DeliveryReport.Kind.AUTO_REPLY
    assert statuses(email)["anne@gerance.ch"][0] == Status.AUTO_REPLIED


def test_every_to_recipient_bounced_is_not_delivered_even_if_a_cc_got_it():
    email = sent_email()
    record(dsn_for(email, failed=[UNKNOWN, ("anne@gerance.ch", "5.2.2", "552 5.2.2 Mailbox full")]))

    email.refresh_from_db()
    assert email.delivery == OutgoingEmail.Delivery.BOUNCED
    assert statuses(email)["anne@gerance.ch"] == (Status.BOUNCED, "soft", "5.2.2")
    # Soft: the address is not condemned.
    assert set(HardBouncedAddress.objects.values_list("address", flat=True)) == {UNKNOWN[0]}


def test_the_relays_refusals_at_rcpt_are_kept_per_recipient():
    email = sent_email()
    recipients_record_sent(email_id=email.pk, refused={UNKNOWN[0]: "550 5.1.1 No such user here"})

    assert statuses(email)[UNKNOWN[0]] == (Status.REFUSED, "", "5.1.1")
    assert statuses(email)["anne@gerance.ch"][0] == Status.ACCEPTED
    email.refresh_from_db()
    assert email.delivery == OutgoingEmail.Delivery.PARTLY_BOUNCED


def test_the_composer_warns_of_an_address_that_bounced_hard():
    email = sent_email()
    record(dsn_for(email, failed=[UNKNOWN]))

    [warning] = hard_bounce_warnings(addresses=["anne@gerance.ch", "INCONNU@gerance.ch "])
    assert "inconnu@gerance.ch" in warning and "5.1.1" in warning


def test_an_acceptance_announced_by_the_outbox_records_each_recipient(
    smtp_server, smtp_settings, django_capture_on_commit_callbacks
):
    from organisatrice.emails.outbox.tasks import deliver_due

    smtp_server.refuse_recipient(UNKNOWN[0])
    email = outgoing_email_create(
        to=[{"name": "Anne Favre", "email": "anne@gerance.ch"}, {"name": "", "email": UNKNOWN[0]}]
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliver_due(worker="test")

    assert EmailRecipient.objects.filter(email=email).count() == 2
    assert statuses(email) == {
        "anne@gerance.ch": (Status.ACCEPTED, "", ""),
        UNKNOWN[0]: (Status.REFUSED, "", "5.1.1"),
    }
