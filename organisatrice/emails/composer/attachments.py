"""A draft's attachments: generated documents, the order's photos, uploaded files."""

import mimetypes

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from organisatrice.content_store import blob_put
from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import DocumentError, document_render, filename_clean
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get

from ..models import DraftAttachment, EmailDraft, EmailTemplate
from ..policy import ensure_can_send
from .errors import DraftInvalid, ensure_editable
from .selectors import draft_total_size


def attach_document(
    *, draft: EmailDraft, kind: str, selection: dict, filename_pattern: str = "", position: int | None = None
) -> DraftAttachment:
    try:
        document = document_render(
            order=draft.order,
            kind=DocumentKind(kind),
            selection=selection,
            language=draft.language,
            filename_pattern=filename_pattern,
        )
    except DocumentError as error:
        raise DraftInvalid({"attachments": [str(error)]}) from error
    if position is None:
        position = draft.attachments.count()
    return DraftAttachment.objects.create(
        draft=draft,
        position=position,
        source=DraftAttachment.Source.PHOTO if kind == DocumentKind.PHOTOS else DraftAttachment.Source.DOCUMENT,
        document_kind=kind,
        selection=selection,
        filename=document.filename,
        content_type=document.content_type,
        size=len(document.content),
        sha256=blob_put(document.content),
    )


def attach_template_document(*, draft: EmailDraft, template: EmailTemplate, selection: dict) -> None:
    """The document the template attaches, first among the draft's generated attachments."""
    if template.attachment_kind and selection:
        attach_document(
            draft=draft,
            kind=template.attachment_kind,
            selection=selection,
            filename_pattern=template.filename_pattern,
            position=0,
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


@transaction.atomic
def draft_attachment_add_document(
    *, draft: EmailDraft, employee: Employee, kind: str, selection: dict
) -> DraftAttachment:
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    if kind not in DocumentKind.values:
        raise DraftInvalid({"attachments": [_("Type de document inconnu.")]})
    attachment = attach_document(draft=draft, kind=kind, selection=selection)
    _ensure_fits(draft=draft, adding=0, company=company_settings_get())
    return attachment


@transaction.atomic
def draft_attachment_upload(*, draft: EmailDraft, employee: Employee, upload: UploadedFile) -> DraftAttachment:
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    company = company_settings_get()
    size = upload.size or 0
    # Checked before reading, so an oversize upload is refused without being stored.
    _ensure_fits(draft=draft, adding=size, company=company)
    content = upload.read()
    content_type = mimetypes.guess_type(upload.name or "")[0] or upload.content_type or "application/octet-stream"
    cleaned = filename_clean(name=upload.name or "annexe", content_type=content_type)
    return DraftAttachment.objects.create(
        draft=draft,
        position=draft.attachments.count(),
        source=DraftAttachment.Source.UPLOAD,
        filename=cleaned.name,
        content_type=content_type,
        size=len(content),
        sha256=blob_put(content),
    )


@transaction.atomic
def draft_attachment_remove(*, draft: EmailDraft, employee: Employee, attachment_id: int) -> None:
    ensure_editable(draft=draft, employee=employee)
    deleted, _counts = draft.attachments.filter(pk=attachment_id).delete()
    if not deleted:
        raise DraftInvalid({"attachments": [_("Cette annexe n'existe plus.")]})
