"""Compiling the Typst templates of `typst/` with data, in a local workspace.

Typst reads files only below its root. The root is a local working directory holding a
copy of the templates (one folder per version of their sources) and the prepared images
under content-derived names, so that a template refers to an image by a name that came
in as data, and no file ever changes once written.
"""

import datetime
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import typst
from django.conf import settings

from .photos import ImageVariant

TEMPLATE_DIR = Path(__file__).resolve().parent / "typst"
IMAGE_DIR = "img"
# A4 is 8.27 inches wide: this many pixels per inch give a preview about 600 px wide.
PREVIEW_WIDTH_PX = 600
A4_WIDTH_INCHES = 210 / 25.4
# Archival PDF: fonts embedded, metadata in XMP, no external dependencies.
PDF_STANDARD: Literal["a-2b"] = "a-2b"


@dataclass(frozen=True)
class TemplateSources:
    sha256: str
    files: dict[str, bytes]


def template_sources() -> TemplateSources:
    """The templates as they are on disk now; read each time so an edit is never missed."""
    files = {path.name: path.read_bytes() for path in sorted(TEMPLATE_DIR.glob("*.typ"))}
    digest = hashlib.sha256()
    for name, content in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return TemplateSources(sha256=digest.hexdigest(), files=files)


def workspace_dir() -> Path:
    return Path(settings.DOCUMENTS_WORK_DIR)


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _templates_in_workspace(root: Path, sources: TemplateSources) -> Path:
    folder = root / "templates" / sources.sha256
    for name, content in sources.files.items():
        target = folder / name
        if not target.exists():
            _write_atomically(target, content)
    return folder


def images_in_workspace(images: Iterable[ImageVariant]) -> None:
    """Writes the images a document needs into the workspace, those not already there."""
    folder = workspace_dir() / IMAGE_DIR
    for image in images:
        target = folder / image.name
        if not target.exists():
            _write_atomically(target, image.load())


def workspace_prune(*, older_than: datetime.timedelta) -> int:
    """Removes images written long ago and templates of older versions; returns how many files.

    Everything here can be written again: images come back from storage when needed.
    """
    root = workspace_dir()
    limit = (datetime.datetime.now(datetime.UTC) - older_than).timestamp()
    removed = 0
    for path in (root / IMAGE_DIR).glob("*"):
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    current = template_sources().sha256
    for folder in (root / "templates").glob("*"):
        if folder.is_dir() and folder.name != current and folder.stat().st_mtime < limit:
            for path in folder.glob("*"):
                path.unlink(missing_ok=True)
                removed += 1
            folder.rmdir()
    return removed


def image_path(image: ImageVariant) -> str:
    """How a template names an image: a path from Typst's root, passed as data."""
    return f"/{IMAGE_DIR}/{image.name}"


_local = threading.local()


def _compiler(root: Path) -> typst.Compiler:
    # A compiler keeps its fonts and caches between documents, which is most of the speed;
    # it may not be used by two threads at once, so each thread has its own.
    compilers: dict[Path, typst.Compiler] = getattr(_local, "compilers", None) or {}
    _local.compilers = compilers
    if root not in compilers:
        compilers[root] = typst.Compiler(root=str(root))
    return compilers[root]


def data_json(data: Mapping[str, Any]) -> str:
    """The one serialization of a document's data: what is hashed is what Typst reads."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def typst_compile(
    *,
    template: str,
    data: str,
    sources: TemplateSources,
    output: Literal["pdf", "png"] = "pdf",
    timestamp: datetime.datetime | None = None,
) -> bytes:
    """Compiles `typst/<template>.typ` with `data` (JSON text) as `sys.inputs.data`.

    PDF output is PDF/A-2b; PNG output is the first page, about 600 px wide.
    Raises typst.TypstError when the template or an image fails.
    """
    root = workspace_dir()
    folder = _templates_in_workspace(root, sources)
    main = folder / f"{template}.typ"
    if main.name not in sources.files:
        raise ValueError(f"Unknown document template {template!r}")
    compiler = _compiler(root)
    if output == "png":
        pages = compiler.compile(
            input=str(main), format="png", ppi=PREVIEW_WIDTH_PX / A4_WIDTH_INCHES, sys_inputs={"data": data}
        )
        first = pages[0] if isinstance(pages, list) else pages
        if not isinstance(first, bytes):
            raise TypeError("Typst returned no PNG")
        return first
    moment = timestamp or datetime.datetime.now(datetime.UTC)
    pdf = compiler.compile(
        input=str(main),
        format="pdf",
        sys_inputs={"data": data},
        pdf_standards=PDF_STANDARD,
        timestamp=int(moment.timestamp()),
    )
    if not isinstance(pdf, bytes):
        raise TypeError("Typst returned no PDF")
    return pdf
