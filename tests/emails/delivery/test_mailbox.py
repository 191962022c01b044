"""Reading the bounce mailbox on a real Dovecot: only our reports are touched, nothing is lost."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from organisatrice.emails.delivery.polling import bounce_mailbox_get, bounce_poll_ensure, bounce_poll_run
from organisatrice.emails.models import BounceMailbox, DeliveryReport, EmailRecipient
from tests.emails.delivery.conftest import imap, mailbox_url
from tests.emails.delivery.reports import auto_reply_for, dsn_for
from tests.emails.delivery.test_recording import UNKNOWN, sent_email
from tests.emails.outgoing import an_order

pytestmark = pytest.mark.django_db(transaction=True)
POLL_TASK = "organisatrice.emails.delivery.polling.bounce_mailbox_poll"

OUR_BOUNCE = b"Ours: Undelivered Mail Returned to Sender"
PERSONAL = (
    b"From: Marc Rochat <marc@gerance.ch>\r\nTo: service@dupont-sa.ch\r\nSubject: Question sur la facture\r\n"
    b"Message-ID: <question.1@gerance.ch>\r\n\r\nBonjour, une question.\r\n"
)
FOREIGN_BOUNCE = (
    b"From: MAILER-DAEMON@relay.example\r\nTo: marie@dupont-sa.ch\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
    b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.example\r\n\r\n"
    b"Final-Recipient: rfc822; ami@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"
)


def _next_poll() -> datetime.datetime:
    moment = bounce_mailbox_get().next_poll_at
    assert moment is not None
    return moment


def folder_state(client, folder: str) -> dict[bytes, tuple]:
    """Each message's subject and flags in a folder (\\Recent is the session's, not the message's)."""
    client.select_folder(folder, readonly=True)
    fields = b"BODY[HEADER.FIELDS (SUBJECT)]"
    fetched = client.fetch(client.search(["ALL"]), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    return {
        data[fields].strip().removeprefix(b"Subject: "): tuple(sorted(set(data[b"FLAGS"]) - {b"\\Recent"}))
        for data in fetched.values()
    }


def test_our_bounce_is_recorded_seen_and_moved_and_every_other_message_stays_as_it_was(bounce_settings, bounce_account):
    email = sent_email(order=an_order())
    client = imap(bounce_account)
    client.append("INBOX", PERSONAL, flags=[b"\\Flagged"])
    client.append("INBOX", FOREIGN_BOUNCE)
    client.append(
        "INBOX", dsn_for(email, failed=[UNKNOWN]).replace(b"Subject: Undelivered", b"Subject: Ours: Undelivered")
    )
    client.append("INBOX", auto_reply_for(email, replier="anne@gerance.ch"), flags=[b"\\Answered"])
    before = folder_state(client, "INBOX")

    assert bounce_poll_run() == {"read": 4, "reports": 2, "moved": 1}

    # The person's message, the bounce of their own and the out-of-office: exactly as they were.
    after = folder_state(client, "INBOX")
    assert after == {subject: flags for subject, flags in before.items() if subject != OUR_BOUNCE}
    assert after[b"Question sur la facture"] == (b"\\Flagged",)
    assert after[b"Undelivered Mail Returned to Sender"] == ()
    assert folder_state(client, "Rapports de remise") == {OUR_BOUNCE: (b"\\Seen",)}
    client.logout()

    row = EmailRecipient.objects.get(email=email, address=UNKNOWN[0])
    assert (row.status, row.bounce, row.status_code) == ("bounced", "hard", "5.1.1")
    assert EmailRecipient.objects.get(email=email, address="anne@gerance.ch").status == "auto_replied"
    assert DeliveryReport.objects.filter(email=email).count() == 2
    state = bounce_mailbox_get()
    assert state.last_error == "" and state.reports_total == 2 and state.last_uid == 4

    # The next reading starts after what was read: nothing is read or recorded twice.
    assert bounce_poll_run() == {"read": 0, "reports": 0, "moved": 0}


def test_a_mailbox_down_for_a_while_loses_no_bounce(settings, dovecot_factory):
    server = dovecot_factory()
    server.add_user("retours@dupont-sa.ch", "secret")
    from tests.servers.fixtures import ImapAccount

    account = ImapAccount(server=server, address="retours@dupont-sa.ch", password="secret")
    settings.EMAIL_BOUNCE_MAILBOX = mailbox_url(account)
    email = sent_email()

    assert bounce_poll_run() == {"failed": 1}
    state = bounce_mailbox_get()
    assert "injoignable" in state.last_error and state.failures == 1
    # The reading is retried: the next run is already asked for.
    assert DBTaskResult.objects.filter(task_path=POLL_TASK, run_after=_next_poll()).exists()

    server.start()
    client = imap(account)
    client.append("INBOX", dsn_for(email, failed=[UNKNOWN]))
    client.logout()

    assert bounce_poll_run()["reports"] == 1
    assert bounce_mailbox_get().last_error == ""
    assert EmailRecipient.objects.get(email=email, address=UNKNOWN[0]).status == "bounced"


def test_a_refused_login_is_on_the_status_line_and_touches_nothing(settings, bounce_account):
    settings.EMAIL_BOUNCE_MAILBOX = mailbox_url(bounce_account, password="wrong")
    client = imap(bounce_account)
    client.append("INBOX", PERSONAL)

    assert bounce_poll_run() == {"failed": 1}

    assert "Connexion refusée" in bounce_mailbox_get().last_error
    assert "wrong" not in bounce_mailbox_get().last_error
    assert list(folder_state(client, "INBOX").values()) == [()]
    client.logout()


def test_the_chain_of_readings_asks_for_one_next_run_and_restarts_when_dead(bounce_settings):
    assert bounce_poll_ensure()
    bounce_poll_run()
    bounce_poll_run()  # a spare run: the next one is already asked for
    # One run asked for now (the chain's start), one at the next interval: not one per run.
    asked = DBTaskResult.objects.filter(task_path=POLL_TASK)
    assert asked.count() == 2
    assert asked.filter(run_after=_next_poll()).count() == 1
    assert not bounce_poll_ensure()
    # Its worker died: the next run never came, and the chain starts again.
    BounceMailbox.objects.update(next_poll_at=timezone.now() - datetime.timedelta(minutes=5))
    assert bounce_poll_ensure()
