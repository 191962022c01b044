"""Previews of a draft's attachments: made on first view, kept in the content store."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from organisatrice.content_store import blob_put, derived_key, derived_name, derived_read
from organisatrice.emails.composer import previews
from organisatrice.emails.composer.attachments import draft_attachment_upload
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.models import DraftAttachment, EmailTemplate
from tests.documents.bombs import png_bomb, spin_pdf
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


def _timed_get(client, url):
    start = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - start


def _is_the_unavailable_placeholder(response) -> bool:
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return response.content == previews.preview_unavailable_png()


@pytest.mark.slow
def test_a_pdf_too_slow_to_preview_says_so_within_five_seconds_then_at_once(client, draft, monkeypatch):
    upload = SimpleUploadedFile("formulaire.pdf", spin_pdf(), content_type="application/pdf")
    attachment = draft_attachment_upload(draft=draft, employee=draft.author, upload=upload)
    client.force_login(draft.author.user)
    url = reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk])

    first, first_seconds = _timed_get(client, url)
    assert _is_the_unavailable_placeholder(first)
    assert first_seconds < 6.5

    monkeypatch.setattr(previews, "document_preview_png", lambda **kwargs: pytest.fail("tried again"))
    second, second_seconds = _timed_get(client, url)
    assert _is_the_unavailable_placeholder(second)
    assert second_seconds < 0.5


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_png_bomb_gets_the_placeholder_at_once(client, draft):
    bomb = png_bomb()
    # Attached before uploads were measured: such a file is refused at upload now.
    attachment = DraftAttachment.objects.create(
        draft=draft,
        source=DraftAttachment.Source.UPLOAD,
        filename="plan.png",
        content_type="image/png",
        size=len(bomb),
        sha256=blob_put(bomb),
    )
    client.force_login(draft.author.user)

    response, seconds = _timed_get(client, reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk]))

    assert _is_the_unavailable_placeholder(response)
    assert seconds < 0.5


def test_a_damaged_file_gets_the_placeholder_in_the_employees_language(client, draft):
    upload = SimpleUploadedFile("cassé.pdf", b"%PDF-1.4 not really", content_type="application/pdf")
    attachment = draft_attachment_upload(draft=draft, employee=draft.author, upload=upload)
    client.force_login(draft.author.user)
    url = reverse("emails:draft_attachment_preview", args=[draft.pk, attachment.pk])

    french = client.get(url)
    assert _is_the_unavailable_placeholder(french)
    draft.author.language = "de"
    draft.author.save()
    german = client.get(url)

    assert german.status_code == 200 and german.content != french.content
    with translation.override("de"):
        assert _is_the_unavailable_placeholder(german)
    assert Image.open(io.BytesIO(german.content)).size == (180, 254)
