import io
import json
import subprocess
import sys
import time

import pytest
from PIL import Image, ImageChops

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.models import DocumentRender
from organisatrice.documents.services import document_preview_png, document_render
from tests.factories import OrderFactory, WorkReportFactory, WorkReportLineFactory

from .bombs import png_bomb, spin_pdf
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


# Previews in a fresh process, to read how much memory they took: the test process's own
# high-water mark says nothing about one call.
_MEASURED_PREVIEW = """
import json, resource, sys
import django
django.setup()
from organisatrice.documents.services import document_preview_png
content = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
png = document_preview_png(content=content, content_type=sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"previewed": png is not None, "grew_mb": (after - before) / 1024}))
"""


def _preview_in_child(content: bytes, content_type: str) -> dict:
    # The child finds the test settings in the environment, where pytest-django put them.
    child = subprocess.run(
        [sys.executable, "-c", _MEASURED_PREVIEW, content_type],
        input=content,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return json.loads(child.stdout.splitlines()[-1])


def test_a_png_bomb_is_refused_from_its_header_without_being_decoded():
    bomb = png_bomb()  # 13000 x 13000 pixels in 164 KB
    assert len(bomb) < 200_000

    measured = _preview_in_child(bomb, "image/png")

    assert measured == {"previewed": False, "grew_mb": pytest.approx(0, abs=30)}


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size():
    buffer = io.BytesIO()
    Image.new("L", (6000, 6000), 128).save(buffer, "JPEG")  # 36 MP: under the bound

    measured = _preview_in_child(buffer.getvalue(), "image/jpeg")

    assert measured == {"previewed": True, "grew_mb": pytest.approx(0, abs=30)}


@pytest.mark.slow
def test_a_pdf_that_makes_pdftoppm_spin_is_given_up_after_five_seconds():
    content = spin_pdf()  # minutes of pdftoppm without a limit
    assert len(content) < 2500

    start = time.monotonic()
    preview = document_preview_png(content=content, content_type="application/pdf")

    assert preview is None
    assert time.monotonic() - start < 6.5


def test_a_preview_process_gets_no_more_than_300_mb():
    from organisatrice.documents.previews import limited_run

    result = limited_run([sys.executable, "-c", "bytearray(400 * 2**20)"], input=b"")

    assert result is not None
    assert result.returncode != 0 and b"MemoryError" in result.stderr
    assert limited_run([sys.executable, "-c", "bytearray(100 * 2**20)"], input=b"").returncode == 0


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_preview_process_that_runs_too_long_is_killed_with_its_children(tmp_path):
    from organisatrice.documents.previews import limited_run

    pid_file = tmp_path / "pid"
    start = time.monotonic()
    # The shell waits for a sleep in the background: killing the shell alone would leave it.
    result = limited_run(["/bin/sh", "-c", f"sleep 30 & echo $! > {pid_file}; wait"], input=b"", seconds=1)

    assert result is None
    assert time.monotonic() - start < 3
    sleeper = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while _running(sleeper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(sleeper)
