import io

import pytest
from PIL import Image, ImageChops

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.models import DocumentRender
from organisatrice.documents.services import document_preview_png, document_render
from tests.factories import OrderFactory, WorkReportFactory, WorkReportLineFactory

from .factories import PhotoFactory, jpeg_bytes

pytestmark = pytest.mark.django_db


def _png(data: bytes | None) -> Image.Image:
    assert data is not None
    assert data.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _work_report_pdf() -> bytes:
    report = WorkReportFactory.create()
    WorkReportLineFactory.create(report=report)
    return document_render(
        order=report.order, kind=DocumentKind.WORK_REPORT, selection={"work_report": report.pk}, language="fr"
    ).content


def test_a_generated_pdf_is_previewed_from_its_typst_source():
    content = _work_report_pdf()

    preview = _png(document_preview_png(content=content, content_type="application/pdf"))

    assert 590 <= preview.width <= 610
    assert preview.height > preview.width  # A4, portrait
    entry = DocumentRender.objects.get()
    assert entry.preview_storage_name, "the preview is kept for the next time"
    again = document_preview_png(content=content, content_type="application/pdf")
    assert again == document_preview_png(content=content, content_type="application/pdf; charset=binary")


def test_a_photo_documentation_preview_finds_its_images_again(settings, tmp_path):
    photo = PhotoFactory.create()
    content = document_render(
        order=photo.order, kind=DocumentKind.PHOTO_DOCUMENTATION, selection={"photos": [photo.pk]}, language="fr"
    ).content
    # A fresh worker has an empty Typst workspace: the images come back from storage.
    settings.DOCUMENTS_WORK_DIR = tmp_path / "fresh-workspace"

    preview = _png(document_preview_png(content=content, content_type="application/pdf"))

    red, green, _blue = preview.convert("RGB").split()
    red_mask = ImageChops.multiply(
        red.point(lambda v: 255 if v > 200 else 0), green.point(lambda v: 255 if v < 60 else 0)
    )
    red_pixels = red_mask.histogram()[255]
    assert red_pixels > 1000


def test_any_other_pdf_is_previewed_by_pdftoppm():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), "green").save(buffer, "PDF")

    preview = _png(document_preview_png(content=buffer.getvalue(), content_type="application/pdf"))

    assert max(preview.size) == 600


def test_an_image_gets_a_600_px_wide_upright_thumbnail():
    preview = _png(document_preview_png(content=jpeg_bytes(width=3000, height=2000), content_type="image/jpeg"))
    assert preview.size == (600, 400)
    rotated = _png(
        document_preview_png(content=jpeg_bytes(width=3000, height=2000, orientation=6), content_type="image/jpeg")
    )
    assert rotated.size == (600, 900)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"not a pdf", "application/pdf"),
        (b"not an image", "image/png"),
        (b"PK\x03\x04", "application/zip"),
        (b"hello", "text/plain"),
    ],
)
def test_what_cannot_be_previewed_gives_none(content, content_type):
    assert document_preview_png(content=content, content_type=content_type) is None


def test_orders_documents_get_distinct_previews():
    first = _work_report_pdf()
    second_order = OrderFactory.create(title="Autre commande")
    report = WorkReportFactory.create(order=second_order)
    WorkReportLineFactory.create(report=report, description="Autre chose")
    second = document_render(
        order=second_order, kind=DocumentKind.WORK_REPORT, selection={"work_report": report.pk}, language="fr"
    ).content
    assert document_preview_png(content=first, content_type="application/pdf") != document_preview_png(
        content=second, content_type="application/pdf"
    )
