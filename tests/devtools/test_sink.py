"""The development sink that `make run` starts, and its pages, which exist only in DEBUG."""

import smtplib

import pytest
from aiosmtpd.controller import Controller
from django.urls import NoReverseMatch, reverse

from organisatrice.devtools.sink import SinkHandler, sink_messages
from tests.factories import EmployeeFactory
from tests.smtp_server import free_port


@pytest.fixture
def sink(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    port = free_port()
    controller = Controller(SinkHandler(tmp_path / "mail-sink"), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_the_sink_keeps_every_message_with_its_envelope(sink):
    raw = b"From: a@dupont-sa.ch\r\nTo: b@gerance.ch\r\nSubject: Essai \xc3\xa9\r\n\r\nBonjour\r\n"
    with smtplib.SMTP("127.0.0.1", sink) as smtp:
        smtp.sendmail("a@dupont-sa.ch", ["b@gerance.ch", "hidden@gerance.ch"], raw)
    [caught] = sink_messages()
    assert caught.envelope_to == ["b@gerance.ch", "hidden@gerance.ch"]
    assert caught.to_header == "b@gerance.ch"
    assert caught.size == len(raw)


@pytest.mark.django_db
def test_in_debug_the_top_bar_links_to_the_sink_page_which_lists_and_serves_what_it_caught(client, sink, debug_urls):
    client.force_login(EmployeeFactory(user__is_staff=True, mail_permission=True).user)
    with smtplib.SMTP("127.0.0.1", sink) as smtp:
        smtp.sendmail("a@dupont-sa.ch", ["b@gerance.ch"], b"Subject: Rapport du jour\r\n\r\nx\r\n")
    assert f'href="{reverse("devtools:sink")}"' in client.get(reverse("orders:list")).content.decode()
    page = client.get(reverse("devtools:sink"))
    assert page.status_code == 200
    assert "Rapport du jour" in page.content.decode()
    assert "a@dupont-sa.ch → b@gerance.ch" in page.content.decode()
    [caught] = sink_messages()
    download = client.get(reverse("devtools:sink_message", args=[caught.name]))
    assert b"".join(download.streaming_content).startswith(b"Subject: Rapport du jour")


@pytest.mark.django_db
def test_in_debug_the_sink_page_is_for_employees_only(client, debug_urls):
    page = client.get(reverse("devtools:sink"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    [
        pytest.param({"mail_permission": True}, id="employee with the Mail permission"),
        pytest.param({"user__is_staff": True, "mail_permission": False}, id="backoffice user without it"),
    ],
)
def test_in_debug_the_sink_is_only_for_those_who_may_read_every_email(client, sink, debug_urls, who):
    # The sink holds every email of every order, Bcc included: what only the backoffice's archive shows.
    client.force_login(EmployeeFactory(**who).user)
    with smtplib.SMTP("127.0.0.1", sink) as smtp:
        smtp.sendmail("a@dupont-sa.ch", ["b@gerance.ch"], b"Subject: Rapport du jour\r\n\r\nx\r\n")
    [caught] = sink_messages()
    assert client.get(reverse("devtools:sink")).status_code == 403
    assert client.get(reverse("devtools:sink_message", args=[caught.name])).status_code == 403
    assert reverse("devtools:sink") not in client.get(reverse("orders:list")).content.decode()


@pytest.mark.django_db
def test_in_debug_a_superuser_reads_the_sink(client, sink, debug_urls):
    client.force_login(EmployeeFactory(user__is_superuser=True, user__is_staff=True, mail_permission=False).user)
    assert client.get(reverse("devtools:sink")).status_code == 200


@pytest.mark.django_db
def test_without_debug_the_sink_has_no_page_and_no_link(logged_in):
    with pytest.raises(NoReverseMatch):
        reverse("devtools:sink")
    assert logged_in.get("/dev/mail-sink/").status_code == 404
    assert "/dev/" not in logged_in.get(reverse("orders:list")).content.decode()


def test_the_product_settings_leave_the_development_tools_out():
    from config.settings import base

    assert "organisatrice.devtools" not in base.INSTALLED_APPS
    assert not any("devtools" in name for name in base.TEMPLATES[0]["OPTIONS"]["context_processors"])
