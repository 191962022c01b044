"""The email's page: its changing part polled until final; the HTML as sent, in a frame of its own policy."""

import pytest
from django.urls import reverse

from organisatrice.emails.models import OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due
from tests.emails.outgoing import a_dispatcher, an_employee, outgoing_email_create

pytestmark = pytest.mark.django_db

SENT_HTML = (
    '<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>Titre</title>'
    '<meta http-equiv="refresh" content="0;url=https://tracker.example/"></head>\n'
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px">\n'
    '<p style="margin:0 0 1em 0">Bonjour,</p><script>alert(1)</script>'
    '<img src="https://tracker.example/pixel.gif"><p onclick="alert(2)">Salutations</p></body>\n</html>\n'
)


@pytest.fixture
def sent_by_dispatcher(client):
    dispatcher = a_dispatcher()
    email = outgoing_email_create(sender=dispatcher)
    client.force_login(dispatcher.user)
    return email


def test_while_it_is_on_its_way_the_page_polls_its_changing_part(client, sent_by_dispatcher, settings, smtp_server):
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    url = reverse("emails:detail", args=[sent_by_dispatcher.pk])

    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "en file d&#x27;envoi" in page

    part = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert part.startswith('<div id="email-live"') and "<html" not in part
    assert 'hx-trigger="every 2s"' in part

    deliver_due(worker="test")
    part = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "envoyé" in part and "250" in part
    assert "hx-trigger" not in part, "a final status is not asked for again"


@pytest.mark.parametrize("status", [OutgoingEmail.Status.FAILED, OutgoingEmail.Status.CANCELLED])
def test_a_final_status_is_not_polled(client, sent_by_dispatcher, status):
    OutgoingEmail.objects.filter(pk=sent_by_dispatcher.pk).update(status=status)

    page = client.get(reverse("emails:detail", args=[sent_by_dispatcher.pk])).content.decode()

    assert "hx-trigger" not in page


def test_the_order_page_list_of_emails_is_polled_until_each_is_final(client, sent_by_dispatcher, settings, smtp_server):
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    order = sent_by_dispatcher.order
    part_url = reverse("emails:order_emails", args=[order.pk]) + "?part=order-page"

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f'hx-get="{part_url}" hx-trigger="every 2s"' in page.replace("&amp;", "&")

    part = client.get(part_url, HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<section class="card" id="sent-emails"') and "<html" not in part
    assert "en file d&#x27;envoi" in part and 'hx-trigger="every 2s"' in part

    deliver_due(worker="test")
    part = client.get(part_url, HTTP_HX_REQUEST="true").content.decode()
    assert "status-sent" in part
    assert "hx-trigger" not in part, "a list whose emails are all final is not asked for again"


def test_the_order_page_list_is_not_given_to_who_may_not_read_the_archive(client, sent_by_dispatcher):
    outsider = an_employee()
    client.force_login(outsider.user)
    response = client.get(
        reverse("emails:order_emails", args=[sent_by_dispatcher.order.pk]) + "?part=order-page",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert sent_by_dispatcher.subject not in response.content.decode()


def test_the_html_as_sent_keeps_its_styles_and_nothing_that_runs_or_loads(client, sent_by_dispatcher):
    OutgoingEmail.objects.filter(pk=sent_by_dispatcher.pk).update(html_body=SENT_HTML)
    url = reverse("emails:html", args=[sent_by_dispatcher.pk])

    response = client.get(url)

    html = response.content.decode()
    assert 'style="font-family:Arial,Helvetica,sans-serif;font-size:14px"' in html
    assert '<p style="margin:0 0 1em 0">Bonjour,</p>' in html and 'lang="fr"' in html
    for gone in ("<script", "alert", "tracker.example", "onclick", "Titre", "refresh"):
        assert gone not in html
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    page = client.get(reverse("emails:detail", args=[sent_by_dispatcher.pk])).content.decode()
    assert f'sandbox="" title="Message HTML" src="{url}"' in page


def test_someone_who_may_not_read_the_archive_gets_neither_part_nor_html(client, sent_by_dispatcher):
    OutgoingEmail.objects.filter(pk=sent_by_dispatcher.pk).update(html_body=SENT_HTML)
    client.force_login(an_employee().user)

    for url, headers in (
        (reverse("emails:detail", args=[sent_by_dispatcher.pk]), {"HTTP_HX_REQUEST": "true"}),
        (reverse("emails:html", args=[sent_by_dispatcher.pk]), {}),
    ):
        response = client.get(url, **headers)
        # 403 with the reason: the order is one this technician sees, its archive is not.
        assert response.status_code == 403
        body = response.content.decode()
        assert "Bonjour" not in body and sent_by_dispatcher.subject not in body
