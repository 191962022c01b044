"""Previews of a draft's attachments: made on first view, kept in the content store."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisatrice.content_store import derived_key, derived_name, derived_read
from organisatrice.emails.composer import previews
from organisatrice.emails.composer.attachments import draft_attachment_upload
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.models import EmailTemplate
from tests.factories import OrderFactory, WorkReportLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    order = OrderFactory()
    WorkReportLineFactory(report__order=order, employee=order.responsible)
    template = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    return email_draft_create(order=order, author=order.responsible, template=template)


def _stored_preview(attachment) -> bytes | None:
    key = derived_key(previews.PREVIEW_VERSION, attachment.sha256, attachment.content_type)
    return derived_read(derived_name(area=previews.PREVIEW_AREA, key=key, extension=".png"))


def test_a_preview_is_made_once_and_kept(client, draft, monkeypatch):
    attachment = draft.attachments.get()
    client.force_login(draft.author.user)
    url = reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk])

    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    assert _stored_preview(attachment) == first.content

    monkeypatch.setattr(previews, "document_preview_png", lambda **kwargs: pytest.fail("made again"))
    assert client.get(url).content == first.content


def test_what_has_no_preview_is_404_and_nothing_is_stored(client, draft):
    upload = SimpleUploadedFile("notes.txt", b"quelques notes", content_type="text/plain")
    attachment = draft_attachment_upload(draft=draft, employee=draft.author, upload=upload)
    client.force_login(draft.author.user)

    response = client.get(reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk]))

    assert response.status_code == 404
    assert _stored_preview(attachment) is None


def test_someone_elses_draft_gives_no_preview(client, draft, employee):
    attachment = draft.attachments.get()
    client.force_login(employee.user)
    response = client.get(reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk]))
    assert response.status_code == 404
