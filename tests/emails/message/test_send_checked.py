"""The check at Send, through the real flow: the page, the API, a template, a real SMTP server."""

import email
import email.policy
import json

import pytest
from django.test import Client
from django.urls import reverse

from organisatrice.api.services import api_token_create
from organisatrice.content_store import blob_read
from organisatrice.emails.composer.drafts import DraftChanges, email_draft_create, email_draft_update
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.message.checks import MessageUnsafe
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import EmailDraft, EmailTemplate, OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due
from tests.factories import BuildingFactory, ContactFactory, OrderFactory, WorkReportLineFactory

from .test_checks import INJECT

pytestmark = pytest.mark.django_db

TOP_LEVEL = ["From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]


def _draft(*, title="Remplacement de la pompe", building: str | None = "Les Érables", first="Marie", last="Rochat"):
    order = OrderFactory(title=title, number="2026-00042")
    if building:
        order.buildings.add(BuildingFactory(name=building, client=order.client))
    order.responsible.first_name, order.responsible.last_name = first, last
    order.responsible.email = "marie.rochat@dupont-sa.ch"
    order.responsible.save()
    WorkReportLineFactory(report__order=order, employee=order.responsible)
    contact = ContactFactory(client=order.client, first_name="Anne", last_name="Favre", email="a.favre@gerance.ch")
    template = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    return email_draft_create(order=order, author=order.responsible, template=template, contact=contact)


def _nothing_sent(draft: EmailDraft) -> None:
    draft.refresh_from_db()
    assert draft.status != EmailDraft.Status.SENT
    assert not OutgoingEmail.objects.exists()


def test_send_from_the_page_with_a_payload_subject_shows_the_composer_with_the_error(company):
    draft = _draft()
    page = Client()
    page.force_login(draft.author.user)

    response = page.post(reverse("emails:draft_send", args=[draft.pk]), {"subject": f"Rapport {INJECT}"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Le concerne ne peut pas être écrit tel quel" in content and 'id="errors"' in content
    _nothing_sent(draft)
    draft.refresh_from_db()
    assert draft.subject == f"Rapport {INJECT}"  # kept, for the employee to correct


def test_send_through_the_api_with_a_payload_subject_is_422_with_the_field(company):
    draft = _draft()
    token = api_token_create(user=draft.author.user, name="tests").key
    api = Client(headers={"Authorization": f"Bearer {token}"})
    patched = api.patch(
        f"/api/v1/email-drafts/{draft.pk}", json.dumps({"subject": INJECT}), content_type="application/json"
    )
    assert patched.status_code == 200

    response = api.post(f"/api/v1/email-drafts/{draft.pk}/send")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "subject" and "« =?…?= »" in error["message"]
    _nothing_sent(draft)


def test_an_order_title_that_the_template_puts_in_the_subject_is_refused(company):
    draft = _draft(title=f"Pompe {INJECT}", building=None)
    assert INJECT in draft.subject

    with pytest.raises(MessageUnsafe) as refused:
        email_send(draft=draft, employee=draft.author)

    assert list(refused.value.errors) == ["subject"]
    _nothing_sent(draft)


def test_an_employee_name_that_reaches_from_and_reply_to_is_refused(company):
    draft = _draft(first=f"Marie {INJECT}")

    with pytest.raises(MessageUnsafe) as refused:
        email_send(draft=draft, employee=draft.author)

    assert list(refused.value.errors) == ["sender"] and "du prénom ou du nom du collaborateur" in str(refused.value)
    _nothing_sent(draft)


def test_tricky_legitimate_values_reach_the_smtp_server_exactly_and_alone(company, smtp_settings, smtp_server):
    company.name = 'Dupont & Fils, Génie "Technique" SA'
    company.save()
    subject = 'Offre « Villa "Les Pins" », étage (2) – prix ?= 10 \\ ok =? – Müller, Zoé'
    long_name = "Marie-Claire Rochat-Müller, Département Technique – Dupont & Fils (Genève)"
    draft = _draft(first="Zoé-Anaïs", last="d'Allèves, Müller")
    email_draft_update(
        draft=draft,
        employee=draft.author,
        changes=DraftChanges(
            subject=subject,
            to=[Recipient('Müller, Zoé "Zozo"', "z.muller@gerance.ch")],
            cc=[Recipient(long_name, "mc.rochat@gerance.ch"), Recipient("", "archives@gerance.ch")],
        ),
    )

    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")

    [received] = smtp_server.received
    assert received.data == blob_read(sent.raw_sha256)
    head = received.data.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0].decode() for line in head.split(b"\r\n") if not line.startswith((b" ", b"\t"))]
    assert names == TOP_LEVEL
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert not message.defects and all(not part.defects for part in message.walk())
    assert str(message["Subject"]) == subject == sent.subject

    def pairs(name: str) -> list[tuple[str, str]]:
        return [(a.display_name, a.addr_spec) for a in message[name].addresses]

    sender = "Zoé-Anaïs d'Allèves, Müller"
    assert pairs("From") == [(f'{sender} (Dupont & Fils, Génie "Technique" SA)', "noreply@dupont-sa.ch")]
    assert pairs("Reply-To") == [(sender, "marie.rochat@dupont-sa.ch")]
    assert pairs("To") == [('Müller, Zoé "Zozo"', "z.muller@gerance.ch")]
    assert pairs("Cc") == [(long_name, "mc.rochat@gerance.ch"), ("", "archives@gerance.ch")]
    assert message["Message-ID"] == sent.message_id
    # The archive shows what the parts of the frozen bytes hold.
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert (text, html) == (sent.text_body, sent.html_body)
