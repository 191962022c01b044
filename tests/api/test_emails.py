"""The archive through the API: list, detail, raw message, attachments, notes, retry and cancel."""

import email
import email.policy
import hashlib

import pytest

from organisatrice.content_store import blob_read
from organisatrice.emails.models import EmailNote, OutgoingEmail
from organisatrice.orders.models import OrderEvent
from tests.factories import default_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(api, order) -> OutgoingEmail:
    contact = order.client.contacts.get()
    draft = api.post(
        f"/orders/{order.pk}/email-drafts",
        {"template_id": default_template("work_report").pk, "contact_id": contact.pk},
    ).json()
    api.patch(f"/email-drafts/{draft['id']}", {"cc": [{"name": "Zoé Müller", "email": "z.muller@gerance.ch"}]})
    response = api.post(f"/email-drafts/{draft['id']}/send")
    return OutgoingEmail.objects.get(pk=response.json()["email_id"])


def test_the_orders_emails_are_listed_newest_first(api, order, sent, employee):
    page = api.get(f"/orders/{order.pk}/emails").json()

    assert (page["count"], page["next"], page["previous"]) == (1, None, None)
    [summary] = page["results"]
    assert summary["id"] == sent.pk and summary["order_id"] == order.pk
    assert summary["subject"] == sent.subject and summary["status"] == "queued"
    assert summary["sender"] == {"id": employee.pk, "name": employee.full_name, "email": employee.email}
    assert summary["template_type"] == "work_report"
    assert summary["to"] == [{"name": "Anne Favre", "email": "a.favre@gerance.ch"}]
    assert [a["filename"] for a in summary["attachments"]] == [sent.attachments.get().filename]


def test_the_detail_has_headers_bodies_attachments_delivery_and_notes(api, sent, employee):
    detail = api.get(f"/emails/{sent.pk}").json()

    assert detail["message_id"] == sent.message_id
    assert detail["sha256"] == sent.raw_sha256 and detail["size"] == sent.raw_size
    assert detail["from_header"] == f'"{employee.full_name} (Dupont Technique SA)" <noreply@dupont-sa.ch>'
    assert detail["reply_to"] == f"{employee.full_name} <{employee.email}>"
    assert detail["cc"] == [{"name": "Zoé Müller", "email": "z.muller@gerance.ch"}]
    # Blind copies are in the archive, never in the headers.
    assert detail["bcc"] == [{"name": employee.full_name, "email": employee.email}]
    headers = {h["name"]: h["value"] for h in detail["headers"]}
    assert headers["Message-ID"] == sent.message_id and headers["Subject"] == sent.subject
    assert "Bcc" not in headers
    assert detail["text_body"] == sent.text_body and detail["html_body"] == sent.html_body
    [attachment] = detail["attachments"]
    assert attachment["position"] == 0 and attachment["content_type"] == "application/pdf"
    assert detail["status"] == "queued" and detail["attempt_count"] == 0 and detail["attempts"] == []
    assert detail["smtp_reply"] == "" and detail["failure_reason"] == ""
    assert detail["notes"] == []
    assert detail["can_cancel"] is True and detail["can_retry"] is False
    assert detail["order_number"] == "2026-00042"


def test_the_raw_message_is_the_stored_bytes(api, sent):
    response = api.get(f"/emails/{sent.pk}/raw")

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith('attachment; filename="2026-00042_')
    assert response.content == blob_read(sent.raw_sha256)
    assert hashlib.sha256(response.content).hexdigest() == sent.raw_sha256
    parsed = email.message_from_bytes(response.content, policy=email.policy.default)
    assert parsed["Message-ID"] == sent.message_id


def test_an_attachment_is_downloaded_by_its_position(api, sent):
    attachment = sent.attachments.get()
    response = api.get(f"/emails/{sent.pk}/attachments/0")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == blob_read(attachment.sha256) and response.content.startswith(b"%PDF")
    assert "Rapport-de-travail" in response["Content-Disposition"]
    assert api.get(f"/emails/{sent.pk}/attachments/1").status_code == 404
    assert api.get(f"/emails/{sent.pk}/attachments/-1").status_code == 422


def test_a_note_is_added_and_shown(api, sent, employee):
    response = api.post(f"/emails/{sent.pk}/notes", {"text": "  Client rappelé, reçu.\r\n"})

    assert response.status_code == 201
    note = EmailNote.objects.get()
    assert response.json() == {
        "id": note.pk,
        "author": {"id": employee.pk, "name": employee.full_name, "email": employee.email},
        "text": "Client rappelé, reçu.",
        "created_at": response.json()["created_at"],
    }
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.EMAIL_NOTE, email=sent).exists()
    assert [n["text"] for n in api.get(f"/emails/{sent.pk}").json()["notes"]] == ["Client rappelé, reçu."]


@pytest.mark.parametrize(
    ("body", "message"),
    [({"text": "   "}, "La note est vide."), ({"text": "x" * 5001}, "La note est trop longue"), ({}, "Ce champ")],
)
def test_an_empty_or_long_note_is_422(api, sent, body, message):
    response = api.post(f"/emails/{sent.pk}/notes", body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "text" and error["message"].startswith(message)
    assert not EmailNote.objects.exists()


def test_a_queued_email_is_cancelled_once(api, sent):
    response = api.post(f"/emails/{sent.pk}/cancel")
    assert response.status_code == 200
    assert response.json() == {"email_id": sent.pk, "status": "cancelled"}

    again = api.post(f"/emails/{sent.pk}/cancel")
    assert again.status_code == 409
    assert "annulé" in again.json()["detail"]
    assert api.post(f"/emails/{sent.pk}/retry").status_code == 409


def test_a_failed_email_is_queued_again(api, sent):
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.FAILED, failure_reason="550 non")
    assert api.get(f"/emails/{sent.pk}").json()["can_retry"] is True

    response = api.post(f"/emails/{sent.pk}/retry")
    assert response.status_code == 202
    assert response.json() == {"email_id": sent.pk, "status": "queued"}
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.QUEUED and sent.failure_reason == ""


def test_unknown_emails_are_404(api, sent, order):
    for path in (f"/emails/{sent.pk + 1}", f"/emails/{sent.pk + 1}/raw", f"/emails/{sent.pk + 1}/attachments/0"):
        assert api.get(path).status_code == 404
    assert api.post(f"/emails/{sent.pk + 1}/notes", {"text": "x"}).status_code == 404
    assert api.get(f"/orders/{order.pk + 1}/emails").status_code == 404
    assert api.get(f"/orders/{order.pk}/emails", {"page": 2}).status_code == 404
