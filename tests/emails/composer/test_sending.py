"""Send, end to end: composer → frozen message → outbox → a real SMTP server → archive."""

import email
import email.policy
import hashlib
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from organisatrice.content_store import blob_read
from organisatrice.emails.composer import sending
from organisatrice.emails.composer.drafts import (
    DraftChanges,
    email_draft_create,
    email_draft_discard,
    email_draft_update,
)
from organisatrice.emails.composer.errors import DraftAlreadySent
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import DraftAttachment, EmailDraft, EmailNote, EmailTemplate, OutgoingEmail
from organisatrice.emails.outbox.envelope import verp_address
from organisatrice.emails.outbox.tasks import deliver_due
from organisatrice.orders.models import OrderEvent
from tests.factories import BuildingFactory, ContactFactory, EmployeeFactory, OrderFactory, WorkReportLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(company):
    building = BuildingFactory(name="Les Érables")
    order = OrderFactory(client=building.client, buildings=[building], number="2026-00042")
    order.responsible.first_name, order.responsible.last_name = "Marie", "Rochat"
    order.responsible.email = "marie.rochat@dupont-sa.ch"
    order.responsible.save()
    WorkReportLineFactory(report__order=order, employee=order.responsible)
    contact = ContactFactory(client=order.client, first_name="Anne", last_name="Favre", email="a.favre@gerance.ch")
    template = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    draft = email_draft_create(order=order, author=order.responsible, template=template, contact=contact)
    attachment = draft.attachments.get()
    email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(
            cc=[Recipient("Zoé Müller", "z.muller@gerance.ch")],
            bcc=[Recipient("", "archives@gerance.ch")],
            subject="Rapport de travail – Les Érables",
            attachment_names={attachment.pk: "Rapport de travail Les Érables.pdf"},
        ),
    )
    return draft


def test_the_server_receives_exactly_what_was_composed_and_archived(draft, smtp_settings, smtp_server):
    employee = draft.author
    sent = email_send(draft=draft, employee=employee)
    deliver_due(worker="test")

    [received] = smtp_server.received
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.SENT
    assert received.data == blob_read(sent.raw_sha256)
    assert hashlib.sha256(received.data).hexdigest() == sent.raw_sha256

    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert not message.defects and all(not part.defects for part in message.walk())
    assert str(message["From"]) == '"Marie Rochat (Dupont Technique SA)" <noreply@dupont-sa.ch>'
    assert str(message["Reply-To"]) == "Marie Rochat <marie.rochat@dupont-sa.ch>"
    assert str(message["To"]) == "Anne Favre <a.favre@gerance.ch>"
    assert str(message["Cc"]) == "Zoé Müller <z.muller@gerance.ch>"
    assert str(message["Subject"]) == "Rapport de travail – Les Érables"
    assert message["Message-ID"] == sent.message_id
    assert message["Bcc"] is None and b"archives@gerance.ch" not in received.data
    assert sorted(received.rcpt_tos) == sorted(
        ["a.favre@gerance.ch", "z.muller@gerance.ch", "archives@gerance.ch", "marie.rochat@dupont-sa.ch"]
    )
    assert received.mail_from == verp_address("noreply@dupont-sa.ch", sent.pk)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Rapport de travail Les Érables.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in ["Bonjour Madame Favre,", "Meilleures salutations", "Marie Rochat"]:
        assert part in text and part in html


def test_a_sent_work_report_marks_the_report_and_the_order_for_billing(draft, smtp_settings, smtp_server):
    report = draft.order.work_reports.get()
    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")
    report.refresh_from_db()
    assert report.reported_email == sent and report.reported_at is not None
    draft.order.refresh_from_db()
    assert draft.order.reported_at == report.reported_at
    kinds = set(OrderEvent.objects.filter(order=draft.order).values_list("kind", flat=True))
    assert {OrderEvent.Kind.EMAIL_QUEUED, OrderEvent.Kind.EMAIL_SENT, OrderEvent.Kind.REPORTED} <= kinds


def test_sending_the_same_draft_twice_gives_one_email_and_a_clear_answer(client, draft, smtp_settings, smtp_server):
    client.force_login(draft.author.user)
    first = client.post(reverse("emails:draft_send", args=[draft.pk]))
    second = client.post(reverse("emails:draft_send", args=[draft.pk]), follow=True)

    sent = OutgoingEmail.objects.get()
    assert first.status_code == 302 and first.url == reverse("emails:detail", args=[sent.pk])
    assert "déjà été envoyé" in second.content.decode()
    with pytest.raises(DraftAlreadySent):
        email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")
    assert len(smtp_server.received) == 1
    draft.refresh_from_db()
    assert draft.status == EmailDraft.Status.SENT


def test_a_sent_draft_can_no_longer_be_changed(client, draft, smtp_settings):
    email_send(draft=draft, employee=draft.author)
    client.force_login(draft.author.user)
    response = client.post(reverse("emails:draft", args=[draft.pk]), {"subject": "Après coup"})
    assert response.status_code == 302
    assert OutgoingEmail.objects.get().subject == "Rapport de travail – Les Érables"


def test_every_button_of_a_stale_tab_on_a_sent_draft_leads_to_the_email(client, draft, smtp_settings):
    # The composer still open in another tab after the draft was sent from this one.
    attachment = draft.attachments.get()
    sent = email_send(draft=draft, employee=draft.author)
    client.force_login(draft.author.user)
    buttons = {
        "emails:draft_discard": ([draft.pk], {}, "il n'a pas été supprimé"),
        "emails:draft_send": ([draft.pk], {"subject": "x"}, "il n'a pas été envoyé une seconde fois"),
        "emails:draft_template": ([draft.pk], {"template": draft.template_id}, "ne peut plus être modifié"),
        "emails:draft_add_document": ([draft.pk], {"document": "x"}, "ne peut plus être modifié"),
        "emails:draft_remove_attachment": ([draft.pk, attachment.pk], {}, "ne peut plus être modifié"),
        "emails:draft_upload": ([draft.pk], {"upload": SimpleUploadedFile("a.txt", b"a")}, "ne peut plus être modifié"),
    }
    for name, (args, data, told) in buttons.items():
        response = client.post(reverse(name, args=args), data, follow=True)
        assert response.redirect_chain == [(reverse("emails:detail", args=[sent.pk]), 302)], name
        assert told in unescape(response.content.decode()), name
    assert EmailDraft.objects.filter(pk=draft.pk, status=EmailDraft.Status.SENT).exists()
    assert OutgoingEmail.objects.get().attachments.count() == 1


def test_a_stale_tab_is_told_when_another_request_sent_the_draft_after_it_read_it(draft, smtp_settings):
    stale = EmailDraft.objects.get(pk=draft.pk)  # read before the Send below committed
    sent = email_send(draft=draft, employee=draft.author)
    for act in (
        lambda: email_draft_discard(draft=stale, employee=draft.author),
        lambda: email_draft_update(draft=stale, employee=draft.author, changes=DraftChanges(subject="Trop tard")),
    ):
        with pytest.raises(DraftAlreadySent) as already:
            act()
        assert already.value.email == sent
    assert EmailDraft.objects.filter(pk=draft.pk).exists()


def test_a_work_report_attached_to_a_draft_cannot_be_deleted_in_the_backoffice(
    admin_client, client, draft, smtp_settings, smtp_server
):
    # Sending it anyway would send a report the company no longer has, that billing cannot mark.
    report = draft.order.work_reports.get()
    delete_url = reverse("admin:orders_workreport_delete", args=[report.pk])

    asked = admin_client.get(delete_url)
    refused = admin_client.post(delete_url, {"post": "yes"})

    assert "Rapport de travail Les Érables.pdf" in asked.content.decode()
    assert refused.status_code == 200 and report in type(report).objects.all()
    client.force_login(draft.author.user)
    sent = client.post(reverse("emails:draft_send", args=[draft.pk]))
    assert sent.status_code == 302
    deliver_due(worker="test")
    report.refresh_from_db()
    assert report.reported_email == OutgoingEmail.objects.get()
    assert OutgoingEmail.objects.get().attachments.get().work_report == report


def test_a_draft_whose_work_report_is_gone_is_refused_with_what_to_do(client, draft, smtp_settings):
    # A draft from before reports were protected, whose report was deleted meanwhile.
    attachment = draft.attachments.get()
    report = draft.order.work_reports.get()
    DraftAttachment.objects.filter(pk=attachment.pk).update(work_report=None)
    report.delete()
    client.force_login(draft.author.user)

    refused = client.post(reverse("emails:draft_send", args=[draft.pk]))

    assert refused.status_code == 400
    assert "Le rapport de travail joint n'existe plus" in unescape(refused.content.decode())
    assert not OutgoingEmail.objects.exists()
    client.post(reverse("emails:draft_remove_attachment", args=[draft.pk, attachment.pk]))
    # A work report email without a report is not sent either: the order has none left.
    without = client.post(reverse("emails:draft_send", args=[draft.pk]))
    assert without.status_code == 400
    assert "joignez-le avant l'envoi" in unescape(without.content.decode())
    free = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    client.post(reverse("emails:draft_template", args=[draft.pk]), {"template": free.pk})
    assert client.post(reverse("emails:draft_send", args=[draft.pk])).status_code == 302


def test_archive_pages_show_the_email_as_sent(client, draft, smtp_settings, smtp_server):
    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")
    client.force_login(draft.author.user)

    order_page = client.get(reverse("orders:detail", args=[draft.order_id])).content.decode()
    assert "Rapport de travail – Les Érables" in order_page and "envoyé" in order_page
    detail = client.get(reverse("emails:detail", args=[sent.pk])).content.decode()
    for expected in [sent.message_id.strip("<>"), sent.raw_sha256, "Rapport de travail Les Érables.pdf", "250"]:
        assert expected in detail

    raw = client.get(reverse("emails:raw", args=[sent.pk]))
    assert raw["Content-Type"] == "message/rfc822"
    assert b"".join(raw.streaming_content if raw.streaming else [raw.content]) == smtp_server.received[0].data
    attachment = client.get(reverse("emails:attachment", args=[sent.pk, 0]))
    assert attachment.content.startswith(b"%PDF")
    assert "Rapport%20de%20travail%20Les%20%C3%89rables.pdf" in attachment["Content-Disposition"]


def test_notes_are_added_kept_and_never_sent(client, draft, smtp_settings, smtp_server):
    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")
    client.force_login(draft.author.user)

    client.post(reverse("emails:note_add", args=[sent.pk]), {"text": "Client a confirmé par téléphone."})
    empty = client.post(reverse("emails:note_add", args=[sent.pk]), {"text": "   "})

    assert empty.status_code == 400 and "La note est vide" in empty.content.decode()
    note = EmailNote.objects.get()
    assert (note.author, note.text) == (draft.author, "Client a confirmé par téléphone.")
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.EMAIL_NOTE, email=sent).exists()
    assert len(smtp_server.received) == 1
    assert "Client a confirmé" in client.get(reverse("emails:detail", args=[sent.pk])).content.decode()


def test_a_user_without_access_to_the_order_gets_nothing(client, draft, smtp_settings):
    sent = email_send(draft=draft, employee=draft.author)
    outsiders = [
        EmployeeFactory(mail_permission=True),  # neither responsible nor dispatcher/coordinator
        EmployeeFactory(mail_permission=False, is_dispatcher=True),  # no Mail permission
    ]
    urls = [
        reverse("emails:order_emails", args=[draft.order_id]),
        reverse("emails:detail", args=[sent.pk]),
        reverse("emails:raw", args=[sent.pk]),
        reverse("emails:attachment", args=[sent.pk, 0]),
    ]
    for outsider in outsiders:
        client.force_login(outsider.user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert sent.subject not in response.content.decode()
        assert client.post(reverse("emails:note_add", args=[sent.pk]), {"text": "x"}).status_code == 403
        assert sent.subject not in client.get(reverse("orders:detail", args=[draft.order_id])).content.decode()
    assert not EmailNote.objects.exists()


def test_history_stays_readable_when_sending_is_switched_off(client, draft, smtp_settings, company):
    sent = email_send(draft=draft, employee=draft.author)
    company.email_enabled = False
    company.save()
    client.force_login(draft.author.user)
    assert client.get(reverse("emails:detail", args=[sent.pk])).status_code == 200


def test_the_archive_cannot_be_changed_in_the_backoffice(admin_client, draft, smtp_settings):
    sent = email_send(draft=draft, employee=draft.author)
    change_url = reverse("admin:emails_outgoingemail_change", args=[sent.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200 and 'type="submit"' not in page.content.decode().split("<form")[-1]
    response = admin_client.post(change_url, {"subject": "Falsifié", "status": "sent"})
    assert response.status_code == 403
    assert admin_client.post(reverse("admin:emails_outgoingemail_delete", args=[sent.pk])).status_code == 403
    sent.refresh_from_db()
    assert sent.subject == "Rapport de travail – Les Érables"


def admin_failed_list(draft) -> str:
    from django.test import Client

    from tests.factories import UserFactory

    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    return admin.get(reverse("admin:emails_failedemail_changelist")).content.decode()


def test_retry_and_cancel_from_the_pages(client, draft, smtp_settings, smtp_server):
    smtp_server.fail_next("550 5.1.1 Mailbox unavailable")
    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.FAILED
    client.force_login(draft.author.user)
    detail = client.get(reverse("emails:detail", args=[sent.pk])).content.decode()
    assert "Mailbox unavailable" in detail
    order_page = client.get(reverse("orders:detail", args=[draft.order_id])).content.decode()
    assert 'id="email-failure-flag"' in order_page and "1 eMail en échec" in order_page
    assert "Mailbox unavailable" in admin_failed_list(draft)

    client.post(reverse("emails:retry", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.QUEUED
    client.post(reverse("emails:cancel", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.CANCELLED
    assert [m.message_id for m in smtp_server.received] == []


# --- The message is built before the transaction ------------------------------------------


def _editing_during_build(monkeypatch, draft, *, edits: int) -> list[str]:
    """Makes each of the first `edits` builds of the message see the subject change under it,
    as when the composer's autosave lands between the build and the transaction."""
    original = sending.message_build
    subjects: list[str] = []

    def build(**kwargs):
        subjects.append(kwargs["subject"])
        if len(subjects) <= edits:
            EmailDraft.objects.filter(pk=draft.pk).update(subject=f"Édité {len(subjects)}")
        return original(**kwargs)

    monkeypatch.setattr(sending, "message_build", build)
    return subjects


def test_a_draft_edited_while_its_message_is_built_is_built_again(draft, monkeypatch, smtp_settings, smtp_server):
    subjects = _editing_during_build(monkeypatch, draft, edits=1)

    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")

    assert subjects == ["Rapport de travail – Les Érables", "Édité 1"]
    assert sent.subject == "Édité 1"
    [received] = smtp_server.received
    assert email.message_from_bytes(received.data, policy=email.policy.default)["Subject"] == "Édité 1"


def test_a_draft_that_keeps_changing_is_built_under_its_lock_in_the_end(draft, monkeypatch):
    subjects = _editing_during_build(monkeypatch, draft, edits=sending.SEND_BUILD_ATTEMPTS)

    sent = email_send(draft=draft, employee=draft.author)

    assert len(subjects) == sending.SEND_BUILD_ATTEMPTS + 1
    assert sent.subject == subjects[-1] == f"Édité {sending.SEND_BUILD_ATTEMPTS}"
    assert OutgoingEmail.objects.get() == sent


def test_the_message_is_built_outside_any_transaction(draft, monkeypatch):
    original = sending.message_build
    depth: list[bool] = []

    def build(**kwargs):
        # The test itself runs in a transaction; a service's own would be a savepoint in it.
        depth.append(bool(connection.savepoint_ids))
        return original(**kwargs)

    monkeypatch.setattr(sending, "message_build", build)
    email_send(draft=draft, employee=draft.author)
    assert depth == [False]
