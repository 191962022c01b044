"""The documents an email can attach: rendered from the order's data, cached, named, previewed.

Public API for the email composer:
    document_render, document_preview_png, photo_prepare_for_email, filename_clean,
    selected_records, RenderedDocument, SelectedRecords, CleanedFilename, DocumentError;
    and in `documents.previews`, how previews are made under limits and what stands in
    for one that cannot be made.
"""

import datetime
import hashlib
import importlib.metadata
import logging
from dataclasses import dataclass
from typing import Any

import typst
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from organisatrice.content_store import derived_delete, derived_key, derived_put, derived_read
from organisatrice.orders.models import Order

from .exceptions import DocumentError
from .filenames import CleanedFilename, filename_clean, filename_from_pattern, filename_pattern_validate
from .kinds import KIND_CONTENT_TYPES, PDF, DocumentKind
from .labels import document_language
from .models import DocumentRender
from .photos import photo_prepare_for_email
from .previews import document_preview_png
from .selectors import (
    DocumentSource,
    SelectedRecords,
    document_source_get,
    filename_pattern_get,
    photo_filename_values,
    selected_records,
)
from .typst_engine import (
    TemplateSources,
    data_json,
    images_in_workspace,
    template_sources,
    typst_compile,
    workspace_prune,
)

__all__ = [
    "CleanedFilename",
    "DocumentError",
    "RenderedDocument",
    "SelectedRecords",
    "document_cache_prune",
    "document_preview_png",
    "document_render",
    "filename_clean",
    "photo_prepare_for_email",
    "selected_records",
]

logger = logging.getLogger(__name__)

# Another Typst may lay out the same inputs differently.
TYPST_VERSION = f"typst {importlib.metadata.version('typst')}"

RENDER_AREA = "documents/renders"
# Refreshing `last_used_at` on every open would make each cache hit a write.
LAST_USED_RESOLUTION = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    content_type: str
    filename: str

    @property
    def size(self) -> int:
        return len(self.content)


def _render_key(*, source: DocumentSource, sources_sha256: str, data: str) -> str:
    # Image names are derived from the originals' identity and appear in the data, so a
    # changed photo or logo changes the key too.
    return derived_key(TYPST_VERSION, sources_sha256, source.template, source.language, data)


def _cached(key: str) -> bytes | None:
    entry = DocumentRender.objects.filter(key=key).first()
    if entry is None:
        return None
    content = derived_read(entry.storage_name)
    if content is None or hashlib.sha256(content).hexdigest() != entry.content_sha256:
        # The file went missing or is damaged: render again and replace the entry.
        entry.delete()
        return None
    now = timezone.now()
    if now - entry.last_used_at > LAST_USED_RESOLUTION:
        DocumentRender.objects.filter(pk=entry.pk).update(last_used_at=now)
    return content


def document_pdf_render(*, source: DocumentSource, data: str, sources: TemplateSources) -> bytes:
    """Renders a PDF, without the cache: what the benchmark measures."""
    try:
        images_in_workspace(source.images)
        return typst_compile(template=source.template, data=data, sources=sources)
    except typst.TypstError as error:
        logger.error("Typst failed on %s: %s %s", source.template, error.message, error.diagnostic)
        raise DocumentError(gettext("Le document n'a pas pu être généré.")) from error


def document_pdf(*, order: Order, source: DocumentSource) -> bytes:
    """The PDF for a source, from the cache when the same inputs were rendered before."""
    sources = template_sources()
    data = data_json(source.data)
    key = _render_key(source=source, sources_sha256=sources.sha256, data=data)
    cached = _cached(key)
    if cached is not None:
        return cached
    content = document_pdf_render(source=source, data=data, sources=sources)
    storage_name = derived_put(content, area=RENDER_AREA, extension=".pdf")
    # The same document rendered at the same moment elsewhere keeps its row: either copy will
    # do. ON CONFLICT rather than a savepoint around the insert: one round trip, not three.
    DocumentRender.objects.bulk_create(
        [
            DocumentRender(
                key=key,
                order=order,
                kind=source.kind,
                template=source.template,
                templates_sha256=sources.sha256,
                language=source.language,
                data=data,
                images=[image.name for image in source.images],
                content_sha256=hashlib.sha256(content).hexdigest(),
                content_type=PDF,
                size=len(content),
                storage_name=storage_name,
                last_used_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    return content


def _filename(*, kind: DocumentKind, pattern: str, values: dict[str, str], content_type: str) -> str:
    pattern = pattern.strip() or filename_pattern_get(kind=kind)
    try:
        filename_pattern_validate(pattern)
    except ValidationError as error:
        raise DocumentError(" ".join(error.messages)) from error
    return filename_from_pattern(pattern=pattern, values=values, content_type=content_type)


def document_render(
    *,
    order: Order,
    kind: DocumentKind | str,
    selection: dict[str, Any],
    language: str,
    filename_pattern: str = "",
    records: SelectedRecords | None = None,
) -> RenderedDocument:
    """A document of the order, ready to attach.

    `selection` says which records: {"work_report": id}, {"offer": id}, {"photos": [ids]}
    for a photo documentation, {"photo": id} for one photo as a JPEG (kind PHOTOS);
    `records`, the same already read by selected_records, spares reading them again.
    `language` is the recipient's (fr, de, en; others fall back to French). An empty
    `filename_pattern` means the kind's pattern from the backoffice.
    Raises DocumentError, with a message for the user, for a selection that does not
    belong to the order or a document that cannot be made.
    """
    if records is None:
        records = selected_records(order=order, kind=kind, selection=selection)
    kind = records.kind
    language = document_language(language)
    content_type = KIND_CONTENT_TYPES[kind]
    if records.photo is not None:
        content = photo_prepare_for_email(photo=records.photo)
        values = photo_filename_values(order=order, photo=records.photo, language=language)
    else:
        source = document_source_get(order=order, records=records, language=language)
        content = document_pdf(order=order, source=source)
        values = source.filename_values
    filename = _filename(kind=kind, pattern=filename_pattern, values=values, content_type=content_type)
    return RenderedDocument(content=content, content_type=content_type, filename=filename)


def document_cache_prune(*, unused_for: datetime.timedelta) -> int:
    """Forgets the documents not opened for a while, and old files of Typst's workspace;
    returns how many documents were forgotten."""
    workspace_prune(older_than=unused_for)
    stale = list(DocumentRender.objects.filter(last_used_at__lt=timezone.now() - unused_for))
    DocumentRender.objects.filter(pk__in=[entry.pk for entry in stale]).delete()
    for entry in stale:
        for name in (entry.storage_name, entry.preview_storage_name):
            # Files are stored by content: another entry may still point at the same one.
            still_used = DocumentRender.objects.filter(storage_name=name).exists() or (
                DocumentRender.objects.filter(preview_storage_name=name).exists()
            )
            if name and not still_used:
                derived_delete(name)
    return len(stale)
