"""Through a real relay: Postfix in front of a fake "internet" that refuses an address, its reports
delivered by Postfix into a real Dovecot mailbox, read there by the bounce task.

No mock of the relay or of IMAP: Postfix writes the RFC 3464 reports, Dovecot serves them.
"""

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from organisatrice.emails.delivery.polling import bounce_mailbox_get, bounce_poll_run
from organisatrice.emails.models import EmailRecipient, OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due
from organisatrice.orders.models import OrderEvent
from tests.api.conftest import api_for
from tests.emails.delivery.conftest import imap, mailbox_url
from tests.emails.outgoing import SENDING_ADDRESS, a_dispatcher, outgoing_email_create
from tests.servers.dovecot import DovecotServer
from tests.servers.fixtures import ImapAccount
from tests.servers.postfix import PostfixRelay, postfix_available
from tests.smtp_server import SmtpTestServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not postfix_available(), reason="Debian's postfix is not installed (make test installs it)"),
]
GOOD, UNKNOWN = "anne.favre@gerance.ch", "inconnu@gerance.ch"


@dataclass
class Servers:
    relay: PostfixRelay
    internet: SmtpTestServer
    dovecot: DovecotServer
    account: ImapAccount

    def maildir_count(self) -> int:
        new = self.dovecot.maildir(self.account.address) / "new"
        return len(list(new.iterdir())) if new.exists() else 0

    def wait_for_mail(self, count: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.maildir_count() < count:
            assert time.monotonic() < deadline, (self.maildir_count(), self.relay.log.read_text()[-2000:])
            time.sleep(0.1)


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    root = Path(tempfile.mkdtemp(prefix="relay-"))
    root.chmod(0o755)
    internet = SmtpTestServer().start()
    internet.refuse_recipient(UNKNOWN, f"550 5.1.1 <{UNKNOWN}>: Recipient address rejected: User unknown")
    dovecot = DovecotServer(root / "dovecot")
    account = ImapAccount(server=dovecot, address="retours@dupont-sa.ch", password="retours-secret")
    dovecot.add_user(account.address, account.password)
    relay = PostfixRelay(root / "postfix", upstream_port=internet.port)
    # The company's sending address, and its VERP addresses, land in the bounce mailbox.
    relay.deliver_locally(SENDING_ADDRESS, dovecot.maildir(account.address), uid=dovecot.mail_uid)
    relay.deliver_locally(account.address, dovecot.maildir(account.address), uid=dovecot.mail_uid)
    try:
        dovecot.start()
        relay.start()
        yield Servers(relay=relay, internet=internet, dovecot=dovecot, account=account)
    finally:
        relay.stop()
        dovecot.stop()
        internet.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def relay_settings(settings, servers: Servers):
    settings.EMAIL_HOST, settings.EMAIL_PORT = servers.relay.host, servers.relay.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10.0
    settings.EMAIL_BOUNCE_MAILBOX = mailbox_url(servers.account)
    settings.EMAIL_BOUNCE_POLL_SECONDS = 60
    return settings


def send_through_relay(servers: Servers, **kwargs) -> OutgoingEmail:
    email = outgoing_email_create(**kwargs)
    assert deliver_due(worker="test") == {OutgoingEmail.Status.SENT: 1}
    email.refresh_from_db()
    return email


def test_one_good_and_one_unknown_recipient_through_the_real_relay(relay_settings, servers, client):
    # A client's ordinary message waits in the same mailbox, flagged by its reader.
    reader = imap(servers.account)
    reader.append(
        "INBOX", b"From: Marc <marc@gerance.ch>\r\nSubject: Rendez-vous\r\n\r\nDemain 9h ?\r\n", [b"\\Flagged"]
    )
    present = servers.maildir_count()
    dispatcher = a_dispatcher()
    email = send_through_relay(
        servers, sender=dispatcher, to=[{"name": "Anne Favre", "email": GOOD}, {"name": "", "email": UNKNOWN}]
    )
    [delivered] = servers.internet.wait_for(1)
    assert delivered.rcpt_tos == [GOOD] and delivered.message_id == email.message_id

    # Postfix reports both: the failure, and (asked by DSN) the relaying to the good one.
    servers.wait_for_mail(present + 2)
    arrived = time.monotonic()
    outcome = bounce_poll_run()
    assert outcome["reports"] == 2 and outcome["moved"] == 2
    assert time.monotonic() - arrived < relay_settings.EMAIL_BOUNCE_POLL_SECONDS

    rows = {row.address: row for row in EmailRecipient.objects.filter(email=email)}
    assert (rows[UNKNOWN].status, rows[UNKNOWN].bounce, rows[UNKNOWN].status_code) == ("bounced", "hard", "5.1.1")
    assert "User unknown" in rows[UNKNOWN].diagnostic
    assert rows[GOOD].status == "delivered"
    assert OrderEvent.objects.filter(email=email, kind=OrderEvent.Kind.EMAIL_FAILED).exists()

    # The client's message: still in the inbox, unread, flagged, as it was.
    reader.select_folder("INBOX", readonly=True)
    flags = reader.fetch(reader.search(["ALL"]), ["FLAGS"])
    assert [sorted(set(data[b"FLAGS"]) - {b"\\Recent"}) for data in flags.values()] == [[b"\\Flagged"]]
    reader.logout()

    # The pages: a badge per recipient, the reason, the report readable and downloadable.
    client.force_login(dispatcher.user)
    page = client.get(reverse("emails:detail", args=[email.pk])).content.decode()
    assert "recipient-bounced" in page and "adresse inconnue chez le destinataire" in page and "5.1.1" in page
    report = email.delivery_reports.get(recipients__address=UNKNOWN)
    shown = client.get(reverse("emails:delivery_report", args=[email.pk, report.pk]))
    assert shown.status_code == 200 and "Recipient address rejected" in shown.content.decode()
    raw = client.get(reverse("emails:delivery_report_raw", args=[email.pk, report.pk]))
    assert raw["Content-Type"] == "message/rfc822" and b"Final-Recipient: rfc822; inconnu@gerance.ch" in raw.content
    order_page = client.get(reverse("orders:detail", args=[email.order_id])).content.decode()
    assert 'id="delivery-banner"' in order_page and UNKNOWN in order_page

    # The API.
    recipients = api_for(dispatcher).get(f"/emails/{email.pk}").json()["recipients"]
    by_address = {r["email"]: r for r in recipients}
    assert by_address[UNKNOWN] | {"updated_at": None} == {
        "name": "",
        "email": UNKNOWN,
        "kind": "to",
        "status": "bounced",
        "bounce": "hard",
        "status_code": "5.1.1",
        "diagnostic": by_address[UNKNOWN]["diagnostic"],
        "updated_at": None,
    }
    assert (by_address[GOOD]["status"], by_address[GOOD]["bounce"]) == ("delivered", None)


def test_with_the_mailbox_down_for_a_while_no_bounce_is_lost(relay_settings, servers):
    bounce_poll_run()  # what an earlier test left
    present = servers.maildir_count()
    servers.dovecot.stop()
    try:
        email = send_through_relay(servers, to=[{"name": "", "email": UNKNOWN}])
        servers.wait_for_mail(present + 1)  # Postfix delivers into the Maildir; IMAP is down
        assert bounce_poll_run() == {"failed": 1}
        assert bounce_mailbox_get().last_error
        assert not EmailRecipient.objects.filter(email=email, status="bounced").exists()
    finally:
        servers.dovecot.start()

    assert bounce_poll_run()["reports"] >= 1
    assert EmailRecipient.objects.get(email=email, address=UNKNOWN).status == "bounced"
    assert bounce_mailbox_get().last_error == ""
    email.refresh_from_db()
    assert email.delivery == OutgoingEmail.Delivery.BOUNCED


def test_without_verp_the_relays_dsn_envid_ties_the_bounce(relay_settings, servers):
    relay_settings.EMAIL_VERP = False
    bounce_poll_run()  # what an earlier test left
    present = servers.maildir_count()
    email = send_through_relay(servers, to=[{"name": "", "email": UNKNOWN}])
    servers.wait_for_mail(present + 1)

    assert bounce_poll_run()["reports"] == 1
    report = email.delivery_reports.get()
    assert report.matched_by == "envid"
    assert EmailRecipient.objects.get(email=email, address=UNKNOWN).bounce == "hard"
