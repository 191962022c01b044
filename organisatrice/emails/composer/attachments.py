"""A draft's attachments: generated documents, the order's photos, uploaded files.

Each file is made and stored in the content store (render, photo preparation, upload)
before the short transaction that records its row: on SQLite a transaction holds the
database's write lock, and a stored file that ends up unused costs nothing.
"""

import mimetypes
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from organisatrice.content_store import blob_put
from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import DocumentError, document_render, filename_clean
from organisatrice.orders.models import Order
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get

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
    *, order: Order, language: str, kind: str, selection: dict, filename_pattern: str = ""
) -> PreparedAttachment:
    try:
        document = document_render(
            order=order,
            kind=DocumentKind(kind),
            selection=selection,
            language=language,
            filename_pattern=filename_pattern,
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


def template_document_prepare(*, order: Order, template: EmailTemplate, selection: dict) -> PreparedAttachment | None:
    """The document the template attaches, if it attaches one and the order has it."""
    if not (template.attachment_kind and selection):
        return None
    return document_prepare(
        order=order,
        language=template.language,
        kind=template.attachment_kind,
        selection=selection,
        filename_pattern=template.filename_pattern,
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
                    % {"total": filesizeformat(total), "limit": filesizeformat(company.max_attachments_size)}
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


def draft_attachment_upload(*, draft: EmailDraft, employee: Employee, upload: UploadedFile) -> DraftAttachment:
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    company = company_settings_get()
    # Checked before reading, so an oversize upload is refused without being stored.
    _ensure_fits(draft=draft, adding=upload.size or 0, company=company)
    content = upload.read()
    content_type = mimetypes.guess_type(upload.name or "")[0] or upload.content_type or "application/octet-stream"
    prepared = PreparedAttachment(
        source=DraftAttachment.Source.UPLOAD,
        filename=filename_clean(name=upload.name or "annexe", content_type=content_type).name,
        content_type=content_type,
        size=len(content),
        sha256=blob_put(content),
    )
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
