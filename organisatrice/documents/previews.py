"""Previews: a PNG of a PDF's first page or a thumbnail of an image, made under limits.

What is previewed is often what users uploaded, so no preview may hold a worker for long
or fill its memory, whatever the file: pdftoppm runs in a child process with an address
space and CPU limit and a wall-clock timeout; an image is measured from its header
before anything is decoded, refused above PREVIEW_MAX_PIXELS, and decoded at reduced
scale where the format allows (JPEG).

May import the documents' models, Typst engine and photos; not their services.
"""

import contextlib
import functools
import hashlib
import io
import logging
import os
import resource
import shutil
import signal
import subprocess
from collections.abc import Sequence

import typst
from django.utils.translation import gettext
from PIL import Image, ImageOps

from organisatrice.content_store import derived_put, derived_read

from .kinds import PDF
from .models import DocumentRender
from .photos import IMAGE_UNREADABLE, stored_image_variant
from .typst_engine import images_in_workspace, template_sources, typst_compile

logger = logging.getLogger(__name__)

PREVIEW_AREA = "documents/previews"
PREVIEW_WIDTH = 600
# A preview image is a thumbnail; a very tall one is cut to this height.
PREVIEW_MAX_HEIGHT = 1200
# A page to read: the longer side of an A4 page at 150 dpi.
PAGE_LONG_EDGE = 1754
# Decoded, an image takes up to 4 bytes a pixel, twice while it changes mode: 40 MP stays
# under PREVIEW_MEMORY_BYTES. Above, no preview (a 13000 x 13000 PNG is 164 KB on disk).
PREVIEW_MAX_PIXELS = 40_000_000
# What one preview's child process may map, and spend in seconds of CPU and of wall clock.
PREVIEW_MEMORY_BYTES = 300 * 1024 * 1024
PREVIEW_SECONDS = 5
# The formats an image preview is read from; any other (EPS through Ghostscript, …) is not opened.
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP")
# EXIF orientations that turn the image a quarter: the thumbnail's box turns with it.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION = 0x0112


def document_previewable(content_type: str) -> bool:
    """Whether `document_preview_png` tries this type at all (a PDF or an image)."""
    media_type = _media_type(content_type)
    return media_type == PDF or media_type.startswith("image/")


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _child_limits(memory_bytes: int, seconds: int) -> None:
    # Runs in the forked child before exec: only system calls, no lock a thread may hold.
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # SIGXCPU at the soft limit, SIGKILL a second later: a child whose parent died stops too.
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def limited_run(
    args: Sequence[str], *, input: bytes, memory_bytes: int = PREVIEW_MEMORY_BYTES, seconds: int = PREVIEW_SECONDS
) -> subprocess.CompletedProcess[bytes] | None:
    """Runs a command on `input` with its memory and CPU limited; None when it outlived `seconds`.

    The command gets a process group of its own, killed whole on timeout.
    """
    process = subprocess.Popen(  # noqa: S603 - callers pass fixed arguments; the data arrives on stdin
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        process_group=0,
        preexec_fn=functools.partial(_child_limits, memory_bytes, seconds),
    )
    try:
        stdout, stderr = process.communicate(input, timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def _typst_preview(content: bytes) -> bytes | None:
    """The first page of a PDF this app rendered, rendered again from the same inputs as PNG."""
    content_sha256 = hashlib.sha256(content).hexdigest()
    entry = DocumentRender.objects.filter(content_sha256=content_sha256).first()
    if entry is None:
        return None
    if entry.preview_storage_name:
        stored = derived_read(entry.preview_storage_name)
        if stored is not None:
            return stored
    sources = template_sources()
    if sources.sha256 != entry.templates_sha256:
        # The templates changed since: a new render would not show this PDF.
        return None
    images = [stored_image_variant(name) for name in entry.images]
    try:
        images_in_workspace(images)
        png = typst_compile(template=entry.template, data=entry.data, sources=sources, output="png")
    except (typst.TypstError, FileNotFoundError, OSError) as error:
        logger.warning("No Typst preview for render %s: %s", entry.key, error)
        return None
    name = derived_put(png, area=PREVIEW_AREA, extension=".png")
    DocumentRender.objects.filter(pk=entry.pk).update(preview_storage_name=name)
    return png


def _pdftoppm_page(content: bytes, *, page: int, scale_to: int) -> bytes | None:
    executable = shutil.which("pdftoppm")
    if executable is None:
        return None
    # -scale-to bounds the picture whatever the page size says; only that page is drawn.
    number = str(page)
    args = [executable, "-png", "-f", number, "-l", number, "-scale-to", str(scale_to), "-singlefile", "-"]
    try:
        result = limited_run(args, input=content)
    except OSError as error:
        logger.warning("pdftoppm could not run: %s", error)
        return None
    if result is None:
        logger.warning("pdftoppm gave up after %s s", PREVIEW_SECONDS)
        return None
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG"):
        logger.warning("pdftoppm failed (exit %s): %s", result.returncode, result.stderr[-300:])
        return None
    return result.stdout


def _image_preview(content: bytes, *, long_edge: int | None = None) -> bytes | None:
    """A PNG thumbnail: PREVIEW_WIDTH wide at most, or `long_edge` on its longer side."""
    try:
        with Image.open(io.BytesIO(content), formats=IMAGE_FORMATS) as image:
            # Known from the header: nothing is decoded yet.
            if image.width * image.height > PREVIEW_MAX_PIXELS:
                logger.warning("No preview of a %s x %s image", image.width, image.height)
                return None
            turned = image.getexif().get(_EXIF_ORIENTATION) in _QUARTER_TURNS
            if long_edge is not None:
                box = (long_edge, long_edge)
            else:
                box = (PREVIEW_MAX_HEIGHT, PREVIEW_WIDTH) if turned else (PREVIEW_WIDTH, PREVIEW_MAX_HEIGHT)
            # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size, still twice the thumbnail's.
            scale = min(box[0] / image.width, box[1] / image.height, 1.0)
            image.draft("RGB", (max(1, round(2 * scale * image.width)), max(1, round(2 * scale * image.height))))
            mode = "RGBA" if image.mode in ("RGBA", "LA", "PA", "P") else "RGB"
            small = image if image.mode == mode else image.convert(mode)
            small.thumbnail(box, Image.Resampling.LANCZOS)
            upright = ImageOps.exif_transpose(small)
            upright.info = {}
            output = io.BytesIO()
            upright.save(output, "PNG")
    except IMAGE_UNREADABLE:
        return None
    return output.getvalue()


def document_preview_png(*, content: bytes, content_type: str) -> bytes | None:
    """A PNG of the first page of a PDF, or a ~600 px wide thumbnail of an image; None otherwise.

    A PDF rendered by `document_render` is previewed from its Typst source; any other
    PDF through pdftoppm when it is installed. None also for a file that is damaged, too
    large or too slow to preview: at most PREVIEW_SECONDS and about PREVIEW_MEMORY_BYTES.
    """
    media_type = _media_type(content_type)
    if media_type == PDF:
        return _typst_preview(content) or _pdftoppm_page(content, page=1, scale_to=PREVIEW_WIDTH)
    if media_type.startswith("image/"):
        return _image_preview(content)
    return None


def _pdf_page_count(content: bytes) -> int | None:
    executable = shutil.which("pdfinfo")
    if executable is None:
        return None
    try:
        result = limited_run([executable, "-"], input=content)
    except OSError as error:
        logger.warning("pdfinfo could not run: %s", error)
        return None
    if result is None or result.returncode != 0:
        return None
    for line in result.stdout.decode("latin-1").splitlines():
        name, _colon, value = line.partition(":")
        if name == "Pages" and value.strip().isdigit():
            return int(value)
    return None


def document_page_count(*, content: bytes, content_type: str) -> int | None:
    """How many pages `document_page_png` can show: a PDF's pages, 1 for an image; None otherwise.

    None too for a PDF that pdfinfo cannot read within the preview limits.
    """
    media_type = _media_type(content_type)
    if media_type == PDF:
        return _pdf_page_count(content)
    if media_type.startswith("image/"):
        return 1
    return None


def document_page_png(*, content: bytes, content_type: str, page: int) -> bytes | None:
    """Page `page` (from 1) of a PDF, or the image, at a size to read on screen; None if it fails.

    PAGE_LONG_EDGE pixels on the longer side: an A4 page at 150 dpi, whatever size the
    page claims; made under the same limits as the thumbnails.
    """
    media_type = _media_type(content_type)
    if media_type.startswith("image/"):
        return _image_preview(content, long_edge=PAGE_LONG_EDGE) if page == 1 else None
    if media_type != PDF:
        return None
    return _pdftoppm_page(content, page=page, scale_to=PAGE_LONG_EDGE)


def preview_unavailable_png() -> bytes:
    """A grey page saying "Aperçu indisponible", in the active language."""
    return _placeholder_png(gettext("Aperçu indisponible"))


# Typst brings its own fonts, accents included; the text arrives as data, printed as it is.
_PLACEHOLDER_SOURCE = b"""
#set page(width: 180pt, height: 254pt, margin: 12pt, fill: luma(245))
#set text(size: 20pt, fill: luma(90))
#align(center + horizon, sys.inputs.text)
"""


@functools.lru_cache(maxsize=8)
def _placeholder_png(text: str) -> bytes:
    png = typst.compile(_PLACEHOLDER_SOURCE, format="png", ppi=72, sys_inputs={"text": text})
    if not isinstance(png, bytes):
        raise TypeError("Typst returned no PNG")
    return png
