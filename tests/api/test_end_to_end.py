"""End to end through the API alone: token, order, draft, edits, send, delivery to a real
SMTP server, archive, the raw message equal to what the server received, a note."""

import email
import email.policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from organisatrice.emails.outbox.tasks import deliver_due
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_an_integration_emails_a_work_report_and_finds_it_in_the_archive(order, employee, smtp_settings, smtp_server):
    anonymous = ApiClient(HttpClient(), None)
    token = anonymous.post("/auth/token", {"username": employee.user.username, "password": "demo", "name": "ERP"})
    assert token.status_code == 201
    api = ApiClient(HttpClient(), token.json()["token"])

    [found] = api.get("/orders", {"search": "2026-00042"}).json()["results"]
    detail = api.get(f"/orders/{found['id']}").json()
    assert detail["can_send_email"] is True
    [favre] = detail["recipient_candidates"]["client_contacts"]
    [report] = detail["documents"]["work_reports"]

    created = api.post(
        f"/orders/{found['id']}/email-drafts",
        {"type": "work_report", "contact_id": favre["id"], "documents": [{"kind": "work_report", "id": report["id"]}]},
    )
    assert created.status_code == 201
    draft = created.json()
    [pdf] = draft["attachments"]

    edited = api.patch(
        f"/email-drafts/{draft['id']}",
        {
            "cc": [{"name": "Zoé Müller", "email": "z.muller@gerance.ch"}],
            "bcc": [{"name": "", "email": "archives@gerance.ch"}],
            "subject": "Rapport de travail – Les Érables",
            "body": "Le circuit a été purgé ; la pression est stable.",
            "attachments": [{"id": pdf["id"], "filename": "Rapport Les Érables.pdf"}],
        },
    )
    assert edited.status_code == 200, edited.json()
    uploaded = api.upload(
        f"/email-drafts/{draft['id']}/attachments",
        {"file": SimpleUploadedFile("mesures.csv", b"point;bar\nA;1.5\n", content_type="text/csv")},
    )
    assert uploaded.status_code == 201
    preview = api.get(f"/email-drafts/{draft['id']}/preview").json()
    assert "la pression est stable" in preview["text"]

    sent = api.post(f"/email-drafts/{draft['id']}/send")
    assert sent.status_code == 202
    email_id = sent.json()["email_id"]
    assert api.post(f"/email-drafts/{draft['id']}/send").status_code == 409

    deliver_due(worker="test")  # what the background worker does

    [received] = smtp_server.received
    archived = api.get(f"/emails/{email_id}").json()
    assert archived["status"] == "sent" and archived["sent_at"] is not None
    assert archived["smtp_reply"].startswith("250")
    [attempt] = archived["attempts"]
    assert attempt["outcome"] == "sent" and attempt["smtp_code"] == 250
    raw = api.get(f"/emails/{email_id}/raw")
    assert raw["Content-Type"] == "message/rfc822"
    assert raw.content == received.data
    assert received.message_id == archived["message_id"]
    assert sorted(received.rcpt_tos) == sorted(
        ["a.favre@gerance.ch", "z.muller@gerance.ch", "archives@gerance.ch", employee.email]
    )

    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert str(message["Subject"]) == "Rapport de travail – Les Érables"
    assert str(message["Cc"]) == "Zoé Müller <z.muller@gerance.ch>" and message["Bcc"] is None
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["Rapport Les Érables.pdf", "mesures.csv"]
    first = api.get(f"/emails/{email_id}/attachments/0")
    assert first.content == next(message.iter_attachments()).get_content()

    note = api.post(f"/emails/{email_id}/notes", {"text": "Client averti par téléphone."})
    assert note.status_code == 201
    assert [n["text"] for n in api.get(f"/emails/{email_id}").json()["notes"]] == ["Client averti par téléphone."]
    [listed] = api.get(f"/orders/{found['id']}/emails").json()["results"]
    assert listed["id"] == email_id and listed["status"] == "sent"
    # The work report reached the client: the order is marked for billing.
    after = api.get(f"/orders/{found['id']}").json()
    assert after["reported_at"] is not None
    assert after["documents"]["work_reports"][0]["reported_at"] is not None
