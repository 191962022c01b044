"""An attachment's pages at reading size: counted and drawn once, kept, only for who may see the draft."""

import io
import time

import pytest
import typst
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from organisatrice.documents.previews import PAGE_LONG_EDGE, document_page_count, document_page_png
from organisatrice.emails.composer import previews
from organisatrice.emails.composer.attachments import draft_attachment_upload
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.models import EmailTemplate
from tests.documents.bombs import spin_pdf
from tests.factories import OrderFactory, WorkReportLineFactory

from ...documents.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def _pdf(pages: int) -> bytes:
    source = '#set page(paper: "a4")\n' + "\n#pagebreak()\n".join(f"= Page {n}" for n in range(1, pages + 1))
    pdf = typst.compile(source.encode(), format="pdf")
    assert isinstance(pdf, bytes)
    return pdf


def _size(png: bytes | None) -> tuple[int, int]:
    assert png is not None and png.startswith(b"\x89PNG")
    return Image.open(io.BytesIO(png)).size


@pytest.fixture
def draft():
    order = OrderFactory()
    WorkReportLineFactory(report__order=order, employee=order.responsible)
    template = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    return email_draft_create(order=order, author=order.responsible, template=template)


def _upload(draft, name: str, content: bytes, content_type: str):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return draft_attachment_upload(draft=draft, employee=draft.author, upload=upload)


def test_each_page_of_a_pdf_is_drawn_at_150_dpi():
    pdf = _pdf(3)

    assert document_page_count(content=pdf, content_type="application/pdf") == 3
    width, height = _size(document_page_png(content=pdf, content_type="application/pdf", page=2))
    assert height == PAGE_LONG_EDGE and 1230 <= width <= 1250  # A4 portrait
    assert document_page_png(content=pdf, content_type="application/pdf", page=4) is None


def test_an_image_is_one_page_bounded_on_its_longer_side():
    image = jpeg_bytes(width=4000, height=3000)

    assert document_page_count(content=image, content_type="image/jpeg") == 1
    assert max(_size(document_page_png(content=image, content_type="image/jpeg", page=1))) == PAGE_LONG_EDGE


@pytest.mark.parametrize(
    ("content", "content_type"), [(b"%PDF-1.7 broken", "application/pdf"), (b"plain text", "text/plain")]
)
def test_what_cannot_be_read_has_no_pages(content, content_type):
    assert document_page_count(content=content, content_type=content_type) is None
    assert document_page_png(content=content, content_type=content_type, page=1) is None


def test_a_pdf_that_makes_pdftoppm_spin_gets_a_placeholder_page_once(draft):
    attachment = _upload(draft, "spin.pdf", spin_pdf(), "application/pdf")
    placeholder = previews.preview_unavailable_png()

    # pdfinfo reads it at once; drawing its page is what would take minutes.
    assert previews.attachment_page_count(attachment=attachment) == 1
    started = time.monotonic()
    assert previews.attachment_page_png(attachment=attachment, page=1) == placeholder
    assert time.monotonic() - started < 8
    # The failure is kept: the next look does not spend the same seconds again.
    started = time.monotonic()
    assert previews.attachment_page_png(attachment=attachment, page=1) == placeholder
    assert time.monotonic() - started < 1


def test_the_pages_dialog_lists_the_pages_and_each_is_kept_once_drawn(client, draft, monkeypatch):
    attachment = _upload(draft, "plan.pdf", _pdf(2), "application/pdf")
    client.force_login(draft.author.user)

    listing = client.get(
        reverse("emails:draft_attachment_pages", args=[draft.pk, attachment.pk]), HTTP_HX_REQUEST="true"
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "<html" not in html, "htmx gets the fragment only"
    assert "Page 1 sur 2" in html and "Page 2 sur 2" in html
    page_url = reverse("emails:draft_attachment_page", args=[draft.pk, attachment.pk, 2])
    assert page_url in html

    first = client.get(page_url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert _size(first.content)[1] == PAGE_LONG_EDGE
    monkeypatch.setattr(previews, "document_page_png", lambda **kwargs: pytest.fail("drawn again"))
    monkeypatch.setattr(previews, "document_page_count", lambda **kwargs: pytest.fail("counted again"))
    assert client.get(page_url).content == first.content
    assert client.get(reverse("emails:draft_attachment_page", args=[draft.pk, attachment.pk, 3])).status_code == 404

    # Without scripts, the same address is a page of its own.
    page = client.get(reverse("emails:draft_attachment_pages", args=[draft.pk, attachment.pk]))
    assert "<html" in page.content.decode() and "Page 2 sur 2" in page.content.decode()


def test_a_file_without_pages_says_so(client, draft):
    attachment = _upload(draft, "notes.txt", b"quelques notes", "text/plain")
    client.force_login(draft.author.user)

    response = client.get(reverse("emails:draft_attachment_pages", args=[draft.pk, attachment.pk]))

    assert response.status_code == 200
    assert "Pas d'aperçu pour ce fichier" in response.content.decode()
    assert client.get(reverse("emails:draft_attachment_page", args=[draft.pk, attachment.pk, 1])).status_code == 404


def test_someone_elses_draft_shows_no_page(client, draft, employee):
    attachment = draft.attachments.get()
    client.force_login(employee.user)

    for url in (
        reverse("emails:draft_attachment_pages", args=[draft.pk, attachment.pk]),
        reverse("emails:draft_attachment_page", args=[draft.pk, attachment.pk, 1]),
    ):
        assert client.get(url).status_code == 404
