"""Headers on every page: a Content-Security-Policy without inline code, and no-store where clients' mail is shown."""

import base64
import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from organisatrice.emails.composer.attachments import draft_attachment_upload
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.message.bodies import EmailParts, body_html
from organisatrice.emails.models import EmailTemplate
from tests.emails.outgoing import Attachment, outgoing_email_create
from tests.factories import ContactFactory, EmployeeFactory, OrderFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


def assert_strict_policy_and_no_inline_code(response) -> None:
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    # The sandboxed frames' documents (escaped in srcdoc) are the emails, checked on their own below.
    html = re.sub(r'srcdoc="[^"]*"', "", response.content.decode())
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_HANDLER.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def draft(company):
    order = OrderFactory(number="2026-00042")
    contact = ContactFactory(client=order.client, email="a.favre@gerance.ch")
    template = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    draft = email_draft_create(order=order, author=order.responsible, template=template, contact=contact)
    upload = SimpleUploadedFile("plan.png", png(), content_type="image/png")
    draft_attachment_upload(draft=draft, employee=order.responsible, upload=upload)
    return draft


@pytest.fixture
def sent(draft):
    # A dispatcher may cancel: the email's page shows its confirmation button.
    return outgoing_email_create(
        order=draft.order,
        sender=EmployeeFactory(is_dispatcher=True),
        attachments=[Attachment("Rapport.pdf", b"%PDF-1.4 rapport")],
    )


def test_every_kind_of_page_has_the_policy_and_no_inline_code(client, admin_client, draft, sent):
    client.force_login(sent.sender.user)
    order = draft.order
    pages = [
        reverse("orders:list"),
        reverse("orders:detail", args=[order.pk]),
        reverse("emails:new", args=[order.pk]),
        reverse("emails:order_emails", args=[order.pk]),
        reverse("emails:detail", args=[sent.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy_and_no_inline_code(response)
    assert 'data-confirm="Annuler l’envoi de cet eMail ?"' in client.get(pages[-1]).content.decode()

    client.force_login(draft.author.user)
    composer = client.get(reverse("emails:draft", args=[draft.pk]))
    assert composer.status_code == 200
    assert_strict_policy_and_no_inline_code(composer)
    # The live preview shows the email's own HTML in a frame that may run nothing.
    assert re.search(r'<iframe id="preview-html" sandbox=""', composer.content.decode())

    client.logout()
    login = client.get(reverse("login"))
    assert login.status_code == 200
    assert_strict_policy_and_no_inline_code(login)


def test_the_backoffice_works_under_the_policy(admin_client, sent):
    for url in (
        reverse("admin:index"),
        reverse("admin:orders_order_changelist"),
        reverse("admin:orders_order_change", args=[sent.order.pk]),
        reverse("admin:emails_outgoingemail_change", args=[sent.pk]),
        reverse("admin:people_employee_add"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy_and_no_inline_code(response)


def test_the_api_docs_have_the_policy(client, employee):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_strict_policy_and_no_inline_code(response)


def test_the_email_bodies_style_attributes_are_the_ones_the_policy_allows(client, employee):
    # The composer's preview frame (srcdoc) inherits the page's policy: each style attribute
    # the bodies carry must be allowed by its hash, or the preview would lose its layout.
    parts = EmailParts("Bonjour,", "Suite à notre visite :", "Tout va bien.", "Meilleures salutations", "Marie Rochat")
    styles = set(re.findall(r'style="([^"]*)"', body_html(parts, language="fr")))
    assert len(styles) == 3
    client.force_login(employee.user)
    allowed = policy(client.get(reverse("orders:list")))["style-src-attr"]
    assert allowed[0] == "'unsafe-hashes'"
    assert {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in styles} == set(
        allowed[1:]
    )


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "no-cache", "private"} <= directives


def test_the_archive_and_every_download_are_never_stored(client, draft, sent):
    client.force_login(sent.sender.user)
    for url in (
        reverse("emails:order_emails", args=[sent.order.pk]),
        reverse("emails:detail", args=[sent.pk]),
        reverse("emails:raw", args=[sent.pk]),
        reverse("emails:attachment", args=[sent.pk, 0]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    note = client.post(reverse("emails:note_add", args=[sent.pk]), {"text": ""})
    assert note.status_code == 400 and no_store(note)

    client.force_login(draft.author.user)
    attachment = draft.attachments.get()
    for url in (
        reverse("emails:draft_attachment", args=[draft.pk, attachment.pk]),
        reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_every_api_answer_is_never_stored(client, sent):
    from organisatrice.api.services import api_token_create

    headers = {"Authorization": f"Bearer {api_token_create(user=sent.sender.user, name='t').key}"}
    for url in (
        f"/api/v1/emails/{sent.pk}",
        f"/api/v1/emails/{sent.pk}/raw",
        f"/api/v1/orders/{sent.order.pk}/emails",
        "/api/v1/orders",
        "/api/v1/emails/999999",
        "/api/v1/no/such/path",
        "/api/v1/openapi.json",
    ):
        response = client.get(url, headers=headers)
        assert no_store(response), url
    assert no_store(client.get("/api/v1/orders"))
