"""A draft's attachments: generated documents, the order's photos, uploaded files.

Each file is made and stored in the content store (render, photo preparation, upload)
before the short transaction that records its row: on SQLite a transaction holds the
database's write lock, and a stored file that ends up unused costs nothing.
"""

import io
import mimetypes
import re
import zipfile
from dataclasses import dataclass, field

import puremagic
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from organisatrice.content_store import blob_put
from organisatrice.documents.kinds import JPEG, PDF, PNG, DocumentKind
from organisatrice.documents.previews import IMAGE_FORMATS, PREVIEW_MAX_PIXELS
from organisatrice.documents.services import DocumentError, SelectedRecords, document_render, filename_clean
from organisatrice.orders.models import Order
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get
from organisatrice.swiss_numbers import filesize_format

from ..models import DraftAttachment, EmailDraft, EmailTemplate
from ..policy import ensure_can_send
from .errors import DraftInvalid, ensure_editable, lock_editable
from .selectors import draft_total_size


@dataclass(frozen=True)
class PreparedAttachment:
    """A file already in the content store, not yet attached to a draft."""

    source: str
    filename: str
    content_type: str
    size: int
    sha256: str
    document_kind: str = ""
    selection: dict = field(default_factory=dict)


def document_prepare(
    *,
    order: Order,
    language: str,
    kind: str,
    selection: dict,
    filename_pattern: str = "",
    records: SelectedRecords | None = None,
) -> PreparedAttachment:
    try:
        document = document_render(
            order=order,
            kind=DocumentKind(kind),
            selection=selection,
            language=language,
            filename_pattern=filename_pattern,
            records=records,
        )
    except DocumentError as error:
        raise DraftInvalid({"attachments": [str(error)]}) from error
    return PreparedAttachment(
        source=DraftAttachment.Source.PHOTO if kind == DocumentKind.PHOTOS else DraftAttachment.Source.DOCUMENT,
        document_kind=kind,
        selection=selection,
        filename=document.filename,
        content_type=document.content_type,
        size=document.size,
        sha256=blob_put(document.content),
    )


def template_document_prepare(
    *, order: Order, template: EmailTemplate, selection: dict, records: SelectedRecords | None
) -> PreparedAttachment | None:
    """The document the template attaches, if it attaches one and the order has it; `records`,
    its records as template_records read them for the placeholders."""
    if not (template.attachment_kind and selection):
        return None
    return document_prepare(
        order=order,
        language=template.language,
        kind=template.attachment_kind,
        selection=selection,
        filename_pattern=template.filename_pattern,
        records=records,
    )


def attachment_record(
    *, draft: EmailDraft, prepared: PreparedAttachment, position: int | None = None
) -> DraftAttachment:
    """The row of a prepared file; a template's document goes first (position 0)."""
    return DraftAttachment.objects.create(
        draft=draft,
        position=draft.attachments.count() if position is None else position,
        source=prepared.source,
        document_kind=prepared.document_kind,
        selection=prepared.selection,
        # Rendered from it just now: the report exists, and from now on cannot be deleted.
        work_report_id=prepared.selection.get("work_report")
        if prepared.document_kind == DocumentKind.WORK_REPORT
        else None,
        filename=prepared.filename,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
    )


# --- Attachments ----------------------------------------------------------------------------


def _ensure_fits(*, draft: EmailDraft, adding: int, company: CompanySettings) -> None:
    total = draft_total_size(draft=draft) + adding
    if total > company.max_attachments_size:
        raise DraftInvalid(
            {
                "attachments": [
                    _("Les annexes dépasseraient la taille maximale (%(total)s sur %(limit)s).")
                    % {"total": filesize_format(total), "limit": filesize_format(company.max_attachments_size)}
                ]
            }
        )


def draft_attachment_add_document(
    *, draft: EmailDraft, employee: Employee, kind: str, selection: dict
) -> DraftAttachment:
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    if kind not in DocumentKind.values:
        raise DraftInvalid({"attachments": [_("Type de document inconnu.")]})
    prepared = document_prepare(order=draft.order, language=draft.language, kind=kind, selection=selection)
    company = company_settings_get()
    with transaction.atomic():
        locked = lock_editable(draft=draft, employee=employee)
        _ensure_fits(draft=locked, adding=prepared.size, company=company)
        return attachment_record(draft=locked, prepared=prepared)


# --- Uploads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadType:
    """A kind of file the composer accepts; the first extension is given to a name without one."""

    content_type: str
    label: str | Promise
    extensions: tuple[str, ...]


_GIF, _WEBP, _TIFF, _HEIC = "image/gif", "image/webp", "image/tiff", "image/heic"
_TEXT, _CSV, _ZIP = "text/plain", "text/csv", "application/zip"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_ODT, _ODS, _ODP = (f"application/vnd.oasis.opendocument.{k}" for k in ("text", "spreadsheet", "presentation"))
_DOC, _XLS, _PPT = "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"

UPLOAD_TYPES: tuple[UploadType, ...] = (
    UploadType(PDF, "PDF", (".pdf",)),
    UploadType(JPEG, "JPEG", (".jpg", ".jpeg", ".jpe", ".jfif")),
    UploadType(PNG, "PNG", (".png",)),
    UploadType(_GIF, "GIF", (".gif",)),
    UploadType(_WEBP, "WebP", (".webp",)),
    UploadType(_TIFF, "TIFF", (".tif", ".tiff")),
    UploadType(_HEIC, "HEIC", (".heic", ".heif")),
    UploadType(_TEXT, gettext_lazy("texte"), (".txt", ".text", ".log")),
    UploadType(_CSV, "CSV", (".csv",)),
    UploadType(_DOCX, "Word", (".docx",)),
    UploadType(_DOC, "Word", (".doc",)),
    UploadType(_XLSX, "Excel", (".xlsx",)),
    UploadType(_XLS, "Excel", (".xls",)),
    UploadType(_PPTX, "PowerPoint", (".pptx",)),
    UploadType(_PPT, "PowerPoint", (".ppt",)),
    UploadType(_ODT, "OpenDocument", (".odt",)),
    UploadType(_ODS, "OpenDocument", (".ods",)),
    UploadType(_ODP, "OpenDocument", (".odp",)),
    UploadType(_ZIP, "ZIP", (".zip",)),
)
_UPLOAD_TYPES = {t.content_type: t for t in UPLOAD_TYPES}
# What puremagic names from a signature of its own; the containers below are told apart here.
_SIGNED_TYPES = (PDF, JPEG, PNG, _GIF, _WEBP, _TIFF)
# Office Open XML tells its application by the folder of its main part.
_OOXML_FOLDERS = {"word/": _DOCX, "xl/": _XLSX, "ppt/": _PPTX}
# An old Office file is an OLE2 compound file, as .msi installers are: only these names pass.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_EXTENSIONS = {".doc": _DOC, ".xls": _XLS, ".ppt": _PPT}
# HEIC's own brands; a bare HEIF brand (mif1) may as well hold AVIF or anything else.
_HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis")
# The images measured before they are accepted; Pillow does not read HEIC, nor do previews.
_MEASURED_IMAGES = (JPEG, PNG, _GIF, _WEBP, _TIFF)
# Controls that have no place in text; tab, line feed, form feed, carriage return and the
# end-of-file mark of old DOS files do.
_TEXT_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
# Below this, puremagic's match on text is a guess (a JSON brace, a SYLK header), not a format.
_MAGIC_CONFIDENCE = 0.4


def _extension(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


def _zip_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names:  # OpenDocument names its type in its first member
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in (_ODT, _ODS, _ODP):
                    return declared
            if "[Content_Types].xml" in names and b"macroEnabled" not in archive.read("[Content_Types].xml"):
                for folder, content_type in _OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return None
    return _ZIP


def _is_text(content: bytes) -> bool:
    # UTF-8 or a one-byte code page (Excel's CSV is Windows-1252): both are read bytewise here.
    return _TEXT_CONTROLS.search(content) is None


def upload_type_detect(*, content: bytes, name: str) -> UploadType | None:
    """The accepted type these bytes are, whatever was declared; None for any other content."""
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        content_type = _zip_type(content)
    elif content.startswith(_OLE2_SIGNATURE):
        content_type = _OLE2_EXTENSIONS.get(_extension(name))
    elif content[4:8] == b"ftyp" and content[8:12] in _HEIC_BRANDS:
        content_type = _HEIC
    else:
        try:
            matches = puremagic.magic_string(content)
        except (puremagic.PureError, ValueError):
            matches = []
        found = {m.mime_type for m in matches}
        content_type = next((t for t in _SIGNED_TYPES if t in found), None)
        recognised = any(m.mime_type and m.confidence >= _MAGIC_CONFIDENCE for m in matches)
        if content_type is None and not recognised and _is_text(content):
            # Recognised as nothing else (HTML, SVG, a message…), it is shown as text.
            content_type = _CSV if _extension(name) == ".csv" else _TEXT
    return _UPLOAD_TYPES.get(content_type or "")


def _upload_refused(message: str) -> DraftInvalid:
    return DraftInvalid({"attachments": [message]})


def _ensure_image_size(*, content: bytes, name: str) -> None:
    """Measured from the header alone (Pillow decodes nothing before it is asked to)."""
    try:
        with Image.open(io.BytesIO(content), formats=IMAGE_FORMATS) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        width = height = 0
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        raise _upload_refused(_("L'image « %(name)s » est illisible.") % {"name": name}) from error
    if width * height > PREVIEW_MAX_PIXELS or not width:
        limit = PREVIEW_MAX_PIXELS // 1_000_000
        raise _upload_refused(
            _("L'image « %(name)s » a trop de pixels (%(width)d × %(height)d) : %(limit)d mégapixels au plus.")
            % {"name": name, "width": width, "height": height, "limit": limit}
            if width
            else _("L'image « %(name)s » a trop de pixels : %(limit)d mégapixels au plus.")
            % {"name": name, "limit": limit}
        )


def _upload_filename(*, name: str, upload_type: UploadType) -> str:
    """The name cleaned, with an extension that says what the content is."""
    extension = _extension(name)
    if extension not in upload_type.extensions:
        # An extension of another type goes (photo.pdf of a PNG: photo.png); any other part
        # of the name stays (rapport.final: rapport.final.pdf).
        if extension and mimetypes.guess_type(f"x{extension}", strict=False)[0]:
            name = name[: -len(extension)]
        name += upload_type.extensions[0]
    return filename_clean(name=name, content_type=upload_type.content_type).name


def upload_prepare(*, name: str, content: bytes) -> PreparedAttachment:
    """A file a person or a client sent, typed from its bytes and stored; refused if not accepted.

    The declared type is never used: it went as is into the part's header (a multipart
    one broke the message) and into a column it could overflow.
    """
    name = name or _("annexe")
    shown = filename_clean(name=name, content_type="").name
    if not content:
        raise _upload_refused(_("Le fichier « %(name)s » est vide.") % {"name": shown})
    upload_type = upload_type_detect(content=content, name=name)
    if upload_type is None:
        accepted = ", ".join(dict.fromkeys(str(t.label) for t in UPLOAD_TYPES))
        raise _upload_refused(
            _("« %(name)s » n'est pas d'un type accepté. Types acceptés : %(types)s.")
            % {"name": shown, "types": accepted}
        )
    if upload_type.content_type in _MEASURED_IMAGES:
        _ensure_image_size(content=content, name=shown)
    return PreparedAttachment(
        source=DraftAttachment.Source.UPLOAD,
        filename=_upload_filename(name=name, upload_type=upload_type),
        content_type=upload_type.content_type,
        size=len(content),
        sha256=blob_put(content),
    )


def draft_attachment_upload(*, draft: EmailDraft, employee: Employee, upload: UploadedFile) -> DraftAttachment:
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    company = company_settings_get()
    # Checked before reading, so an oversize upload is refused without being stored.
    _ensure_fits(draft=draft, adding=upload.size or 0, company=company)
    prepared = upload_prepare(name=upload.name or "", content=upload.read())
    with transaction.atomic():
        locked = lock_editable(draft=draft, employee=employee)
        _ensure_fits(draft=locked, adding=prepared.size, company=company)
        return attachment_record(draft=locked, prepared=prepared)


@transaction.atomic
def draft_attachment_remove(*, draft: EmailDraft, employee: Employee, attachment_id: int) -> None:
    ensure_editable(draft=draft, employee=employee)
    deleted, _counts = draft.attachments.filter(pk=attachment_id).delete()
    if not deleted:
        raise DraftInvalid({"attachments": [_("Cette annexe n'existe plus.")]})
