"""Drafts through the API: created from a template, read, changed part by part, attachments, preview, send."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organisatrice.emails.models import DraftAttachment, EmailDraft, OutgoingEmail
from organisatrice.people.selectors import company_settings_get
from tests.api.conftest import api_for
from tests.factories import EmployeeFactory, default_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def favre(order):
    return order.client.contacts.get()


@pytest.fixture
def keller(order):
    return order.buildings.get().contacts.get()


@pytest.fixture
def draft(api, order, favre) -> dict:
    response = api.post(
        f"/orders/{order.pk}/email-drafts", {"template_id": default_template("work_report").pk, "contact_id": favre.pk}
    )
    assert response.status_code == 201
    return response.json()


def test_a_draft_from_a_template_has_every_part_pre_filled(draft, order, employee):
    report = order.work_reports.get()
    assert draft["status"] == "editing" and draft["email_id"] is None
    assert draft["order_id"] == order.pk and draft["language"] == "fr"
    assert draft["sender"] == {"name": f"{employee.full_name} (Dupont Technique SA)", "email": "noreply@dupont-sa.ch"}
    assert draft["reply_to"] == {"name": employee.full_name, "email": employee.email}
    assert draft["to"] == [{"name": "Anne Favre", "email": "a.favre@gerance.ch"}]
    assert draft["cc"] == [] and draft["bcc"] == [] and draft["bcc_me"] is True
    assert draft["subject"] == "Rapport de travail – commande 2026-00042 – Les Érables"
    assert draft["greeting"] == "Bonjour Madame Favre,"
    assert "20.11.2026" in draft["motivation"]
    assert draft["closing"] == "Meilleures salutations"
    assert draft["signature"].startswith(employee.full_name)
    [attachment] = draft["attachments"]
    assert attachment["filename"] == "2026-00042_Rapport-de-travail_Les-Érables_2026-11-20.pdf"
    assert attachment["content_type"] == "application/pdf" and attachment["source"] == "document"
    assert attachment["document_kind"] == "work_report"
    assert draft["total_size"] == attachment["size"] > 1000
    assert draft["size_limit"] == 10 * 1024 * 1024
    assert draft["warnings"] == [] and draft["problems"] == [] and draft["notices"] == []
    stored = EmailDraft.objects.get(pk=draft["id"])
    assert stored.attachments.get().selection == {"work_report": report.pk}


def test_a_type_without_language_takes_the_contacts_language(api, order, keller):
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "work_report", "contact_id": keller.pk}).json()
    assert draft["language"] == "de"
    assert draft["greeting"] == "Sehr geehrter Herr Keller"
    assert draft["to"] == [{"name": "Hans Keller", "email": "h.keller@verwaltung.ch"}]


def test_a_type_takes_the_given_language_else_the_clients(api, order):
    english = api.post(f"/orders/{order.pk}/email-drafts", {"type": "offer", "language": "en"}).json()
    assert english["language"] == "en" and english["to"] == []
    french = api.post(f"/orders/{order.pk}/email-drafts", {"type": "free"}).json()
    assert french["language"] == "fr" and french["attachments"] == []


def test_the_documents_chosen_replace_the_templates_default(api, order):
    offer = order.offers.get()
    draft = api.post(
        f"/orders/{order.pk}/email-drafts",
        {"type": "work_report", "documents": [{"kind": "offer", "id": offer.pk}]},
    ).json()
    assert [a["document_kind"] for a in draft["attachments"]] == ["offer"]

    none = api.post(f"/orders/{order.pk}/email-drafts", {"type": "work_report", "documents": []}).json()
    assert none["attachments"] == []
    # A work report email without its report cannot be sent: said before Send, refused at Send.
    problems = {p["field"]: p["message"] for p in none["problems"]}
    assert "joignez-le avant l'envoi" in problems["attachments"]
    # Its sentence about the report has no date to give: the placeholder stays, and is said.
    assert "{{ work_report_date }}" in none["motivation"]
    assert "« {{ work_report_date }} » (Date du rapport de travail joint) n'a pas de valeur" in problems["motivation"]
    assert api.post(f"/email-drafts/{none['id']}/send").status_code == 422


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "template_id", "Indiquez le gabarit (template_id) ou le type d'eMail (type)."),
        ({"template_id": 999999}, "template_id", "Ce gabarit n'existe pas ou n'est plus actif."),
        ({"type": "unknown"}, "type", "Aucun gabarit actif de ce type."),
        ({"type": "free", "contact_id": 999999}, "contact_id", "Ce contact n'appartient ni au client"),
        ({"type": "free", "documents": [{"kind": "offer"}]}, "documents.0", "Indiquez l'identifiant (id)"),
        ({"type": "free", "documents": [{"kind": "letter", "id": 1}]}, "documents.0.kind", "Valeur inconnue"),
        ({"type": "free", "documents": [{"kind": "offer", "id": 999999}]}, "attachments", "Cette offre n'existe pas"),
        ({"type": "free", "documents": [{"kind": "photo_documentation"}]}, "attachments", "Choisissez au moins"),
        ({"type": "free", "language": "xx"}, "language", "Valeur inconnue"),
        ({"template_id": "abc"}, "template_id", "Un nombre entier est attendu."),
    ],
)
def test_a_draft_that_cannot_be_made_is_422_with_the_field_and_nothing_is_kept(api, order, body, field, message):
    response = api.post(f"/orders/{order.pk}/email-drafts", body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["field"] == field and e["message"].startswith(message) for e in errors), errors
    assert not EmailDraft.objects.exists()


def test_every_refused_reference_is_reported_at_once(api, order):
    response = api.post(f"/orders/{order.pk}/email-drafts", {"template_id": 999999, "contact_id": 999999})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"template_id", "contact_id"}


def test_someone_elses_draft_is_not_found(draft, order):
    colleague = api_for(EmployeeFactory(is_dispatcher=True))
    assert colleague.get(f"/email-drafts/{draft['id']}").status_code == 404
    assert colleague.patch(f"/email-drafts/{draft['id']}", {"subject": "x"}).status_code == 404
    assert colleague.post(f"/email-drafts/{draft['id']}/send").status_code == 404
    assert EmailDraft.objects.get().subject == draft["subject"]


def test_get_returns_the_draft(api, draft):
    assert api.get(f"/email-drafts/{draft['id']}").json() == draft


def test_patch_changes_only_the_parts_given(api, draft):
    attachment_id = draft["attachments"][0]["id"]
    response = api.patch(
        f"/email-drafts/{draft['id']}",
        {
            "to": [{"name": "Anne Favre", "email": "a.favre@gerance.ch"}, {"email": "compta@gerance.ch"}],
            "cc": [{"name": "Zoé Müller", "email": "z.muller@gerance.ch"}],
            "bcc": [{"name": "", "email": "archives@gerance.ch"}],
            "bcc_me": False,
            "subject": "Rapport – Les Érables",
            "body": "Texte individuel.\r\nDeuxième ligne.",
            "attachments": [{"id": attachment_id, "filename": "Rapport Les Érables.pdf"}],
        },
    )

    assert response.status_code == 200
    changed = response.json()
    assert changed["to"] == [
        {"name": "Anne Favre", "email": "a.favre@gerance.ch"},
        {"name": "", "email": "compta@gerance.ch"},
    ]
    assert changed["cc"] == [{"name": "Zoé Müller", "email": "z.muller@gerance.ch"}]
    assert changed["bcc"] == [{"name": "", "email": "archives@gerance.ch"}]
    assert changed["bcc_me"] is False
    assert changed["subject"] == "Rapport – Les Érables"
    assert changed["body"] == "Texte individuel.\nDeuxième ligne."
    assert changed["attachments"][0]["filename"] == "Rapport Les Érables.pdf"
    for part in ("greeting", "motivation", "closing", "signature"):
        assert changed[part] == draft[part]
    assert api.get(f"/email-drafts/{draft['id']}").json() == {**changed, "notices": []}


def test_patch_reports_what_it_corrected_in_a_file_name(api, draft):
    attachment_id = draft["attachments"][0]["id"]
    changed = api.patch(
        f"/email-drafts/{draft['id']}", {"attachments": [{"id": attachment_id, "filename": "../rapport.exe"}]}
    ).json()
    assert changed["attachments"][0]["filename"] == "-rapport.pdf"
    assert any("séparateurs de dossier" in notice for notice in changed["notices"])
    assert any("« .pdf »" in notice for notice in changed["notices"])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"to": [{"name": "X", "email": "pas-une-adresse"}]}, "to", "« pas-une-adresse » n'est pas une adresse"),
        ({"cc": [{"name": "A\r\nBcc: x@evil.ch", "email": "a@b.ch"}]}, "cc", "Un nom ou une adresse ne peut pas"),
        ({"to": [{"name": "X"}]}, "to.0.email", "Ce champ est obligatoire."),
        ({"subject": "Ligne\r\nBcc: victim@example.com"}, "subject", "Le concerne ne peut pas contenir"),
        ({"subject": "x" * 301}, "subject", "Le concerne est trop long"),
        ({"body": "nul\x00"}, "body", "Le caractère nul"),
        ({"attachments": [{"id": 999999, "filename": "a.pdf"}]}, "attachments.999999.filename", "Cette annexe"),
        ({"remove_attachments": [999999]}, "attachments", "Cette annexe n'existe plus."),
        ({"add_documents": [{"kind": "work_report", "id": 999999}]}, "attachments", "Ce rapport de travail"),
        ({"template_id": 999999}, "template_id", "Ce gabarit n'existe pas"),
        ({"bcc_me": "perhaps"}, "bcc_me", "Vrai ou faux"),
    ],
)
def test_a_refused_change_is_422_and_changes_nothing(api, draft, changes, field, message):
    response = api.patch(f"/email-drafts/{draft['id']}", {"body": "Nouveau texte", **changes})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["field"] == field and e["message"].startswith(message) for e in errors), errors
    assert api.get(f"/email-drafts/{draft['id']}").json() == draft


def test_attachments_are_removed_and_documents_added(api, draft, order):
    offer = order.offers.get()
    report = order.work_reports.get()
    changed = api.patch(
        f"/email-drafts/{draft['id']}",
        {
            "remove_attachments": [draft["attachments"][0]["id"]],
            "add_documents": [{"kind": "offer", "id": offer.pk}, {"kind": "work_report", "id": report.pk}],
        },
    ).json()
    assert [a["document_kind"] for a in changed["attachments"]] == ["offer", "work_report"]
    assert changed["total_size"] == sum(a["size"] for a in changed["attachments"])


def test_another_template_fills_the_parts_anew(api, draft):
    changed = api.patch(f"/email-drafts/{draft['id']}", {"template_id": default_template("offer").pk}).json()
    assert changed["template_id"] == default_template("offer").pk
    assert changed["subject"].startswith("Offre")
    assert [a["document_kind"] for a in changed["attachments"]] == ["offer"]
    # Still addressed to the same contact, whose salutation the new template uses.
    assert changed["to"] == draft["to"] and changed["greeting"] == "Bonjour Madame Favre,"


def test_a_file_is_uploaded_as_multipart(api, draft):
    upload = SimpleUploadedFile("plan étage.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = api.upload(f"/email-drafts/{draft['id']}/attachments", {"file": upload})

    assert response.status_code == 201
    uploaded = response.json()["attachments"][-1]
    assert uploaded["filename"] == "plan étage.pdf" and uploaded["source"] == "upload"
    assert uploaded["size"] == len(b"%PDF-1.4 plan") and uploaded["content_type"] == "application/pdf"


def test_an_upload_is_typed_from_its_bytes_not_from_what_the_client_declared(api, draft):
    url = f"/email-drafts/{draft['id']}/attachments"
    declared = SimpleUploadedFile("plan", b"%PDF-1.4 plan", content_type="multipart/mixed; boundary=x" + "x" * 150)
    accepted = api.upload(url, {"file": declared})

    assert accepted.status_code == 201
    uploaded = accepted.json()["attachments"][-1]
    assert (uploaded["filename"], uploaded["content_type"]) == ("plan.pdf", "application/pdf")

    program = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    refused = api.upload(url, {"file": program})
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "attachments" and "n'est pas d'un type accepté" in error["message"]
    assert DraftAttachment.objects.count() == 2


def test_an_upload_over_the_size_limit_is_refused_and_not_stored(api, draft):
    company = company_settings_get()
    company.max_attachments_size = draft["total_size"] + 10
    company.save()
    upload = SimpleUploadedFile("gros.bin", b"x" * 100, content_type="application/octet-stream")
    response = api.upload(f"/email-drafts/{draft['id']}/attachments", {"file": upload})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "attachments" and "taille maximale" in error["message"]
    assert DraftAttachment.objects.count() == 1


def test_an_upload_without_a_file_is_422(api, draft):
    response = api.upload(f"/email-drafts/{draft['id']}/attachments", {"other": "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "Ce champ est obligatoire."}]


def test_the_preview_is_the_text_and_html_that_will_be_sent(api, draft):
    api.patch(f"/email-drafts/{draft['id']}", {"body": "Ligne <b>un</b>\nLigne deux"})
    preview = api.get(f"/email-drafts/{draft['id']}/preview").json()

    assert preview["text"].startswith("Bonjour Madame Favre,\n\n")
    assert "Ligne <b>un</b>\nLigne deux" in preview["text"]
    assert "Ligne &lt;b&gt;un&lt;/b&gt;<br>" in preview["html"]
    assert preview["size"] == draft["total_size"]


def test_send_queues_once_and_a_second_send_is_409(api, draft):
    first = api.post(f"/email-drafts/{draft['id']}/send")

    assert first.status_code == 202
    email = OutgoingEmail.objects.get()
    assert first.json() == {"email_id": email.pk, "status": "queued"}
    assert email.subject == draft["subject"] and email.to == draft["to"]

    second = api.post(f"/email-drafts/{draft['id']}/send")
    assert second.status_code == 409
    assert second.json() == {"detail": "Ce brouillon a déjà été envoyé.", "email_id": email.pk}
    assert OutgoingEmail.objects.count() == 1

    sent = api.get(f"/email-drafts/{draft['id']}").json()
    assert sent["status"] == "sent" and sent["email_id"] == email.pk
    for refused in (
        api.patch(f"/email-drafts/{draft['id']}", {"subject": "Trop tard"}),
        api.upload(f"/email-drafts/{draft['id']}/attachments", {"file": SimpleUploadedFile("a.txt", b"a")}),
        api.delete(f"/email-drafts/{draft['id']}"),
    ):
        assert refused.status_code == 409 and refused.json()["email_id"] == email.pk
    assert OutgoingEmail.objects.get().subject == draft["subject"]


def test_a_draft_that_cannot_be_sent_is_422_with_what_is_missing(api, order):
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "free"}).json()
    assert draft["problems"] == [{"field": "to", "message": "Indiquez au moins un destinataire (À)."}]

    response = api.post(f"/email-drafts/{draft['id']}/send")
    assert response.status_code == 422
    assert response.json()["errors"] == draft["problems"]
    assert not OutgoingEmail.objects.exists()


def test_a_draft_is_discarded(api, draft):
    assert api.delete(f"/email-drafts/{draft['id']}").status_code == 204
    assert api.get(f"/email-drafts/{draft['id']}").status_code == 404
    assert not EmailDraft.objects.exists()
