"""The development sink that `make run` starts, and its DEBUG-only page."""

import smtplib

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from organisatrice.emails.devsink import SinkHandler, sink_messages
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
def test_the_sink_page_exists_only_in_debug(client, employee, sink, settings):
    client.force_login(employee.user)
    with smtplib.SMTP("127.0.0.1", sink) as smtp:
        smtp.sendmail("a@dupont-sa.ch", ["b@gerance.ch"], b"Subject: Rapport du jour\r\n\r\nx\r\n")
    settings.DEBUG = True
    page = client.get(reverse("dev_sink"))
    assert page.status_code == 200 and "Rapport du jour" in page.content.decode()
    [caught] = sink_messages()
    download = client.get(reverse("dev_sink_message", args=[caught.name]))
    assert b"".join(download.streaming_content).startswith(b"Subject: Rapport du jour")
    settings.DEBUG = False
    assert client.get(reverse("dev_sink")).status_code == 404
