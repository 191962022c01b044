"""Each recipient's status where people look: the email page, the order, its list, the API,
billing and the composer; and nothing of it for those who may not read the archive."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from organisatrice.emails.delivery.parsing import bounce_parse
from organisatrice.emails.delivery.services import delivery_report_record
from organisatrice.emails.models import BounceMailbox, EmailRecipient, OutgoingEmail
from organisatrice.orders.services import work_reports_mark_reported
from organisatrice.vault import secret_decrypt
from tests.api.conftest import api_for
from tests.emails.delivery.reports import dsn_for
from tests.emails.delivery.test_recording import UNKNOWN, sent_email
from tests.emails.outgoing import a_dispatcher, a_work_report, an_employee

pytestmark = pytest.mark.django_db


def bounced(email: OutgoingEmail, *failures: tuple[str, str, str]) -> None:
    raw = dsn_for(email, failed=list(failures) or [UNKNOWN])
    assert delivery_report_record(raw=raw, parsed=bounce_parse(raw)) is not None


@pytest.fixture
def dispatcher():
    return a_dispatcher()


def test_the_email_page_shows_a_badge_and_the_reason_per_recipient_in_the_users_language(client, dispatcher):
    email = sent_email(sender=dispatcher)
    bounced(email)
    client.force_login(dispatcher.user)

    page = client.get(reverse("emails:detail", args=[email.pk])).content.decode()
    assert 'data-address="inconnu@gerance.ch"' in page and "recipient-bounced" in page
    assert "adresse inconnue chez le destinataire" in page
    assert "accepté par le relais" in page

    dispatcher.language = "de"
    dispatcher.save()
    page = client.get(reverse("emails:detail", args=[email.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Adresse beim Empfänger unbekannt" in page


def test_the_orders_email_list_and_the_order_list_flag_a_bounce(client, dispatcher):
    email = sent_email(sender=dispatcher)
    bounced(email)
    client.force_login(dispatcher.user)

    emails = client.get(reverse("emails:order_emails", args=[email.order_id])).content.decode()
    assert 'class="status status-bounced bounce-hard"' in emails
    orders = client.get(reverse("orders:list")).content.decode()
    assert "status-bounced" in orders


def test_a_work_report_whose_to_recipients_all_bounced_is_not_delivered_on_the_order_and_in_billing(client, dispatcher):
    report = a_work_report()
    email = sent_email(order=report.order, sender=dispatcher)
    work_reports_mark_reported(report_ids=[report.pk], email_id=email.pk, sent_at=timezone.now())
    bounced(email, UNKNOWN, ("anne@gerance.ch", "5.1.1", "550 5.1.1 User unknown"))

    client.force_login(dispatcher.user)
    order_page = client.get(reverse("orders:detail", args=[report.order_id])).content.decode()
    assert f'id="work-report-{report.pk}-undelivered"' in order_page

    client.force_login(get_user_model().objects.create_superuser("compta", "compta@dupont-sa.ch", "secret"))
    listing = client.get(reverse("admin:orders_orderreadytobill_changelist")).content.decode()
    assert "1 rapport(s) non remis" in listing
    export = client.get(reverse("admin:orders_orderreadytobill_export")).content.decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(export), delimiter=";"))
    assert line[header.index("email_remise")] == "non remis"


def test_the_api_gives_each_recipient_with_its_status(dispatcher):
    email = sent_email(sender=dispatcher)
    bounced(email)

    answer = api_for(dispatcher).get(f"/emails/{email.pk}").json()
    assert answer["delivery"] == "partly_bounced"
    assert [(r["email"], r["kind"], r["status"], r["bounce"]) for r in answer["recipients"]] == [
        ("anne@gerance.ch", "to", "accepted", None),
        ("inconnu@gerance.ch", "to", "bounced", "hard"),
        ("compta@gerance.ch", "cc", "accepted", None),
    ]


def test_an_email_without_statuses_yet_shows_its_recipients_from_its_own_status(dispatcher):
    email = sent_email(sender=dispatcher, bcc=[{"name": "Moi", "email": "moi@dupont-sa.ch"}])
    recipients = api_for(dispatcher).get(f"/emails/{email.pk}").json()["recipients"]
    assert [(r["kind"], r["status"]) for r in recipients] == [
        ("to", "accepted"),
        ("to", "accepted"),
        ("cc", "accepted"),
        ("bcc", "accepted"),
    ]
    assert not EmailRecipient.objects.exists()


def test_the_report_is_readable_and_downloadable_only_by_those_who_may_read_the_archive(client, dispatcher):
    email = sent_email(sender=dispatcher)
    bounced(email)
    report = email.delivery_reports.get()
    page, raw = (
        reverse(name, args=[email.pk, report.pk]) for name in ("emails:delivery_report", "emails:delivery_report_raw")
    )

    outsider = an_employee()  # neither responsible of the order nor dispatcher
    client.force_login(outsider.user)
    # The order is visible to all, its archive is not: refused with the reason (403), nothing shown.
    assert client.get(page).status_code == 403 and client.get(raw).status_code == 403

    client.force_login(dispatcher.user)
    assert "User unknown" in client.get(page).content.decode()
    download = client.get(raw)
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    # A report of another email is not reachable through this one.
    other = sent_email(sender=dispatcher)
    assert client.get(reverse("emails:delivery_report", args=[other.pk, report.pk])).status_code == 404


def test_the_composer_warns_when_an_address_that_bounced_hard_is_chosen_again(client, dispatcher):
    from organisatrice.emails.composer.sending import draft_warnings
    from organisatrice.emails.models import EmailDraft
    from organisatrice.people.selectors import company_settings_get

    email = sent_email(sender=dispatcher)
    bounced(email)
    draft = EmailDraft.objects.create(order=email.order, author=dispatcher, to=[{"name": "", "email": UNKNOWN[0]}])
    [warning] = [w for w in draft_warnings(draft=draft, company=company_settings_get()) if UNKNOWN[0] in w]
    assert "5.1.1" in warning


def test_the_backoffice_keeps_the_mailbox_password_encrypted_and_shows_the_status_line(client, settings):
    client.force_login(get_user_model().objects.create_superuser("admin2", "a@dupont-sa.ch", "secret"))
    form = {
        "enabled": "on",
        "host": "imap.dupont-sa.ch",
        "port": "993",
        "security": "imaps",
        "username": "retours@dupont-sa.ch",
        "password": "très-secret",
        "folder": "INBOX",
        "processed_folder": "Rapports de remise",
        "poll_seconds": "",
    }
    response = client.post(reverse("admin:emails_bouncemailbox_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = BounceMailbox.objects.get()
    assert secret_decrypt(row.password_encrypted) == "très-secret"
    change = client.get(reverse("admin:emails_bouncemailbox_change", args=[row.pk])).content.decode()
    assert "très-secret" not in change and "Pas encore lue" in change

    refused = client.post(reverse("admin:emails_bouncemailbox_change", args=[row.pk]), {**form, "host": "imap\nx"})
    assert refused.status_code == 200 and "saut de ligne" in refused.content.decode()
