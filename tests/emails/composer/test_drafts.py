"""Drafts: pre-filling from templates, editing, attachments, and every kind of bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from organisatrice.documents import services as document_services
from organisatrice.emails.composer import attachments
from organisatrice.emails.composer.attachments import draft_attachment_upload
from organisatrice.emails.composer.drafts import (
    DraftChanges,
    email_draft_apply_template,
    email_draft_create,
    email_draft_update,
)
from organisatrice.emails.composer.errors import DraftInvalid
from organisatrice.emails.composer.sending import draft_warnings, email_send
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import DraftAttachment, EmailDraft, EmailTemplate, OutgoingEmail
from organisatrice.people.selectors import company_settings_get
from tests.factories import (
    BuildingFactory,
    ContactFactory,
    EmployeeFactory,
    OfferLineFactory,
    OrderFactory,
    WorkReportLineFactory,
    default_template,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    building = BuildingFactory(name="Les Érables")
    order = OrderFactory(client=building.client, buildings=[building], number="2026-00042")
    WorkReportLineFactory(report__order=order, employee=order.responsible, description="Purge du circuit")
    return order


@pytest.fixture
def contact(order):
    return ContactFactory(
        client=None,
        building=order.buildings.get(),
        salutation="mr",
        first_name="Hans",
        last_name="Keller",
        email="h.keller@verwaltung.ch",
        language="de",
    )


@pytest.fixture
def draft(order, contact):
    return email_draft_create(
        order=order, author=order.responsible, template=default_template("work_report", "de"), contact=contact
    )


def test_work_report_draft_is_pre_filled_in_the_contacts_language(draft, order):
    assert draft.to == [{"name": "Hans Keller", "email": "h.keller@verwaltung.ch"}]
    assert draft.subject == "Arbeitsrapport – Auftrag 2026-00042 – Les Érables"
    assert draft.greeting == "Sehr geehrter Herr Keller"
    assert "Arbeitsrapport vom" in draft.motivation
    assert draft.closing == "Freundliche Grüsse"
    assert order.responsible.full_name in draft.signature
    attachment = draft.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.filename.startswith("2026-00042") and attachment.filename.endswith(".pdf")
    assert attachment.selection == {"work_report": order.work_reports.get().pk}


def test_every_part_can_be_changed(draft, order):
    attachment = draft.attachments.get()
    result = email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(
            to=[Recipient("Anne Favre", "a.favre@gerance.ch")],
            cc=[Recipient("", "cc@gerance.ch")],
            bcc=[Recipient("", "archive@dupont-sa.ch")],
            bcc_me=False,
            subject="Neuer Betreff",
            greeting="Grüezi",
            motivation="Motivation",
            body="Individueller Text",
            closing="Gruss",
            signature="Signatur",
            attachment_names={attachment.pk: "Rapport final.pdf"},
        ),
    )
    assert result.errors == {}
    draft.refresh_from_db()
    assert (draft.subject, draft.greeting, draft.body, draft.signature) == (
        "Neuer Betreff",
        "Grüezi",
        "Individueller Text",
        "Signatur",
    )
    assert draft.cc == [{"name": "", "email": "cc@gerance.ch"}] and draft.bcc_me is False
    assert draft.attachments.get().filename == "Rapport final.pdf"


def test_line_breaks_in_subject_and_names_are_refused_and_the_rest_is_kept(draft, order):
    result = email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(
            subject="Sujet\r\nBcc: victim@example.com",
            to=[Recipient("Anne\nBcc: x@y.ch", "a.favre@gerance.ch"), Recipient("Luc", "luc@gerance.ch")],
            body="Texte gardé",
        ),
    )
    assert "subject" in result.errors and "to" in result.errors
    draft.refresh_from_db()
    assert draft.subject.startswith("Arbeitsrapport")
    assert draft.to == [{"name": "Luc", "email": "luc@gerance.ch"}]
    assert draft.body == "Texte gardé"


def test_invalid_addresses_are_reported(draft, order):
    result = email_draft_update(
        draft=draft, employee=order.responsible, changes=DraftChanges(cc=[Recipient("X", "pas une adresse")])
    )
    assert "pas une adresse" in result.errors["cc"][0]


def test_file_name_with_path_parts_is_cleaned_and_the_reason_given(draft, order):
    attachment = draft.attachments.get()
    result = email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(attachment_names={attachment.pk: "../../etc/pass\nwd.pdf"}),
    )
    attachment.refresh_from_db()
    assert "/" not in attachment.filename and "\n" not in attachment.filename
    assert attachment.filename.endswith(".pdf")
    assert result.notices


def test_empty_recipient_list_cannot_be_sent(draft, order):
    email_draft_update(draft=draft, employee=order.responsible, changes=DraftChanges(to=[]))
    with pytest.raises(DraftInvalid) as error:
        email_send(draft=draft, employee=order.responsible)
    assert "to" in error.value.errors
    draft.refresh_from_db()
    assert draft.status == EmailDraft.Status.EDITING


def test_oversize_upload_is_refused_and_nothing_is_stored(draft, order):
    company = company_settings_get()
    company.max_attachments_size = 50_000
    company.save()
    upload = SimpleUploadedFile("plan.pdf", b"%PDF" + b"0" * 60_000, content_type="application/pdf")
    with pytest.raises(DraftInvalid) as error:
        draft_attachment_upload(draft=draft, employee=order.responsible, upload=upload)
    assert "taille maximale" in str(error.value)
    assert draft.attachments.filter(source=DraftAttachment.Source.UPLOAD).count() == 0


def test_size_warning_at_80_percent(draft, order):
    company = company_settings_get()
    company.max_attachments_size = int(draft.attachments.get().size / 0.85)
    company.save()
    assert any("%" in w for w in draft_warnings(draft=draft, company=company))


def test_upload_keeps_its_cleaned_name(draft, order):
    upload = SimpleUploadedFile("C:\\Users\\marie\\Plan étage.PDF", b"%PDF-1.4 x", content_type="application/pdf")
    attachment = draft_attachment_upload(draft=draft, employee=order.responsible, upload=upload)
    assert "\\" not in attachment.filename and attachment.filename.lower().endswith(".pdf")
    assert "Plan étage" in attachment.filename


def test_a_template_that_fails_to_render_gives_a_clear_error(order):
    broken = EmailTemplate.objects.create(
        type=default_template("free").type, language="fr", name="Cassé", subject="{{ inconnu }}", is_default=False
    )
    with pytest.raises(DraftInvalid) as error:
        email_draft_create(order=order, author=order.responsible, template=broken)
    assert "Cassé" in str(error.value) and "inconnu" in str(error.value)
    assert not EmailDraft.objects.exists()


def test_a_draft_opened_by_someone_else_is_not_found(client, draft, order):
    dispatcher = EmployeeFactory(is_dispatcher=True)
    client.force_login(dispatcher.user)
    assert client.get(reverse("emails:draft", args=[draft.pk])).status_code == 404
    assert client.post(reverse("emails:draft_send", args=[draft.pk])).status_code == 404
    with pytest.raises(DraftInvalid):
        email_draft_update(draft=draft, employee=dispatcher, changes=DraftChanges(subject="x"))


def test_composer_page_saves_through_the_form_and_reports_bad_input(client, draft, order, contact):
    client.force_login(order.responsible.user)
    attachment = draft.attachments.get()
    response = client.post(
        reverse("emails:draft", args=[draft.pk]),
        {
            f"contact-{contact.pk}": "to",
            "to_extra": "ungültig, Zoé <zoe@gerance.ch>",
            "subject": "Betreff",
            "body": "Mein Text",
            f"attachment-{attachment.pk}-filename": "Rapport.pdf",
        },
    )
    assert response.status_code == 400
    assert "ungültig" in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "Mein Text"
    assert draft.to == [
        {"name": "Hans Keller", "email": "h.keller@verwaltung.ch"},
        {"name": "Zoé", "email": "zoe@gerance.ch"},
    ]


def test_htmx_save_returns_the_live_preview(client, draft, order):
    client.force_login(order.responsible.user)
    response = client.post(
        reverse("emails:draft", args=[draft.pk]),
        {"to_extra": "a@b.ch", "subject": "Vorschau", "body": "Text <b>fett</b>"},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview"' in content and "<html" not in content.lower()[:50]
    assert "Vorschau" in content
    assert "&amp;lt;b&amp;gt;fett" in content  # escaped in the HTML body, then again in srcdoc


def test_attachment_preview_is_a_png(client, draft, order):
    client.force_login(order.responsible.user)
    attachment = draft.attachments.get()
    response = client.get(reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_adding_and_removing_documents(client, draft, order):
    client.force_login(order.responsible.user)
    report = order.work_reports.get()
    client.post(reverse("emails:draft_add_document", args=[draft.pk]), {"document": f"work_report:{report.pk}"})
    assert draft.attachments.count() == 2
    first = draft.attachments.first()
    client.post(reverse("emails:draft_remove_attachment", args=[draft.pk, first.pk]))
    assert draft.attachments.count() == 1


def test_documents_are_rendered_and_stored_outside_any_transaction(order, contact, monkeypatch):
    # The test runs in a transaction of its own: one of a service's shows as a savepoint in it.
    seen: dict[str, list[bool]] = {"render": [], "store": []}
    compile_, store = document_services.typst_compile, attachments.blob_put

    def watched_compile(**kwargs):
        seen["render"].append(bool(connection.savepoint_ids))
        return compile_(**kwargs)

    def watched_store(data):
        seen["store"].append(bool(connection.savepoint_ids))
        return store(data)

    monkeypatch.setattr(document_services, "typst_compile", watched_compile)
    monkeypatch.setattr(attachments, "blob_put", watched_store)
    draft = email_draft_create(
        order=order, author=order.responsible, template=default_template("work_report", "de"), contact=contact
    )
    offer = OfferLineFactory(offer__order=order).offer
    attachments.draft_attachment_add_document(
        draft=draft, employee=order.responsible, kind="offer", selection={"offer": offer.pk}
    )
    email_draft_apply_template(draft=draft, employee=order.responsible, template=default_template("offer", "de"))
    attachments.draft_attachment_upload(
        draft=draft, employee=order.responsible, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7")
    )

    # Apply template finds the offer already rendered (cached); its file is stored anew.
    assert seen == {"render": [False, False], "store": [False, False, False, False]}
    assert [a.document_kind for a in draft.attachments.all()] == ["offer", ""]


def test_a_contact_whose_name_holds_a_line_break_is_refused_as_first_recipient(client, order):
    # Entered before the backoffice refused it, or imported: the draft checks it like a typed one.
    contact = ContactFactory(client=order.client, last_name="Favre\r\nBcc: x@evil.example", email="a.favre@gerance.ch")
    client.force_login(order.responsible.user)

    response = client.post(
        reverse("emails:new", args=[order.pk]), {"template": default_template("free").pk, "contact": contact.pk}
    )

    assert response.status_code == 400
    assert "saut de ligne" in response.content.decode()
    assert not EmailDraft.objects.exists()
    with pytest.raises(DraftInvalid) as refused:
        email_draft_create(order=order, author=order.responsible, template=default_template("free"), contact=contact)
    assert list(refused.value.errors) == ["to"]


@pytest.mark.parametrize("field", ["to", "cc", "bcc"])
def test_send_checks_every_recipient_the_draft_holds(client, draft, order, field):
    # A draft that holds a recipient no check saw (made before the checks, or by hand).
    bad = {"name": "Anne\r\nBcc: x@evil.example", "email": "a.favre@gerance.ch"}
    EmailDraft.objects.filter(pk=draft.pk).update(**{field: [*getattr(draft, field), bad]})
    client.force_login(order.responsible.user)

    response = client.post(reverse("emails:draft_send", args=[draft.pk]))

    assert response.status_code == 400
    assert "saut de ligne" in response.content.decode()
    assert not OutgoingEmail.objects.exists()
    with pytest.raises(DraftInvalid) as refused:
        email_send(draft=draft, employee=order.responsible)
    assert field in refused.value.errors


def test_a_nul_in_a_part_is_refused_with_a_message_and_nothing_else_is_lost(draft, order):
    before = EmailDraft.objects.get(pk=draft.pk)
    result = email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(
            subject="Betr\x00eff",
            greeting="Grüezi\x00",
            motivation="Motivation gardée",
            body="Te\x00xt",
            closing="Gruss",
            signature="Sig\x00natur",
            to=[Recipient("An\x00ne", "a.favre@gerance.ch"), Recipient("Luc", "luc@gerance.ch")],
        ),
    )

    assert set(result.errors) == {"subject", "greeting", "body", "signature", "to"}
    assert all("caractère non autorisé" in " ".join(messages) for messages in result.errors.values())
    draft.refresh_from_db()
    assert (draft.subject, draft.greeting, draft.body, draft.signature) == (
        before.subject,
        before.greeting,
        before.body,
        before.signature,
    )
    assert (draft.motivation, draft.closing) == ("Motivation gardée", "Gruss")
    assert draft.to == [{"name": "Luc", "email": "luc@gerance.ch"}]


def test_the_composer_page_reports_a_nul_instead_of_emptying_the_field(client, draft, order):
    client.force_login(order.responsible.user)
    before = EmailDraft.objects.get(pk=draft.pk)

    response = client.post(
        reverse("emails:draft", args=[draft.pk]),
        {
            "subject": "Betreff\x00",
            "body": "Mein\x00 Text",
            "closing": "Gruss",
            "to_extra": "Zo\x00é <zoe@gerance.ch>, luc@gerance.ch",
        },
    )

    assert response.status_code == 400
    assert "caractère non autorisé" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.subject, draft.body) == (before.subject, before.body)
    assert draft.closing == "Gruss"
    assert draft.to == [{"name": "", "email": "luc@gerance.ch"}]
