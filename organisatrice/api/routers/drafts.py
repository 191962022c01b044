"""Drafts: created from a template on an order, changed part by part, then sent.

Each endpoint calls the services the composer pages call; what the pages do in a form
(parsing recipients, choosing documents) is done here by the schemas.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile

from organisatrice.emails.composer.attachments import (
    draft_attachment_add_document,
    draft_attachment_remove,
    draft_attachment_upload,
)
from organisatrice.emails.composer.drafts import (
    DraftChanges,
    email_draft_apply_template,
    email_draft_create,
    email_draft_discard,
    email_draft_update,
)
from organisatrice.emails.composer.errors import DraftAlreadySent, DraftInvalid
from organisatrice.emails.composer.selectors import draft_total_size, email_draft_get_for_user, order_contacts
from organisatrice.emails.composer.sending import (
    draft_envelope,
    draft_parts,
    draft_problems,
    draft_warnings,
    email_send,
)
from organisatrice.emails.message.bodies import body_html, body_text, sender_name
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import EmailDraft, EmailTemplate
from organisatrice.emails.policy import ensure_can_send
from organisatrice.emails.templating.selectors import email_template_for, email_templates_active
from organisatrice.orders.selectors import order_get_for_user
from organisatrice.people.models import Employee
from organisatrice.people.selectors import company_settings_get

from ..auth import caller
from ..errors import responses
from ..schemas import AddressIn, ConflictOut, DocumentIn, DraftCreateIn, DraftOut, DraftPatchIn, Id, PreviewOut, SentOut

router = Router(tags=["Brouillons"])

CONFLICT = {409: ConflictOut}


def draft_out(draft: EmailDraft, *, employee: Employee, notices: list[str] | None = None) -> dict:
    company = company_settings_get()
    envelope = draft_envelope(draft=draft, employee=employee)
    email = getattr(draft, "outgoing_email", None) if draft.status == EmailDraft.Status.SENT else None
    return {
        "id": draft.pk,
        "order_id": draft.order_id,
        "status": draft.status,
        "email_id": email.pk if email else None,
        "template_id": draft.template_id,
        "language": draft.language,
        "sender": {
            "name": sender_name(employee=draft.author, company=company),
            "email": company.sending_address,
        },
        "reply_to": envelope.reply_to.as_dict() if envelope.reply_to else None,
        # The draft's own lists, not the envelope: "bcc_me" is a separate switch.
        "to": draft.to,
        "cc": draft.cc,
        "bcc": draft.bcc,
        "bcc_me": draft.bcc_me,
        "subject": draft.subject,
        "greeting": draft.greeting,
        "motivation": draft.motivation,
        "body": draft.body,
        "closing": draft.closing,
        "signature": draft.signature,
        "attachments": list(draft.attachments.all()),
        "total_size": draft_total_size(draft=draft),
        "size_limit": company.max_attachments_size,
        "warnings": draft_warnings(draft=draft, company=company),
        "problems": [
            {"field": field, "message": message}
            for field, messages in draft_problems(draft=draft, company=company).items()
            for message in messages
        ],
        "notices": notices or [],
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def _active_template(template_id: int, *, errors: dict[str, list[str]]) -> EmailTemplate | None:
    template = email_templates_active().filter(pk=template_id).first()
    if template is None:
        errors["template_id"] = [_("Ce gabarit n'existe pas ou n'est plus actif.")]
    return template


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)


def _add_documents(*, draft: EmailDraft, employee: Employee, documents: list[DocumentIn]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for document in documents:
        try:
            draft_attachment_add_document(
                draft=draft, employee=employee, kind=document.kind, selection=document.selection(draft.order)
            )
        except DraftInvalid as error:
            _merge(errors, error.errors)
    return errors


def _editable_draft(employee: Employee, draft_id: int) -> EmailDraft:
    draft = email_draft_get_for_user(employee=employee, pk=draft_id)
    if draft.status == EmailDraft.Status.SENT:
        # As the composer does: a sent draft answers with the email it became.
        raise DraftAlreadySent(draft.outgoing_email)
    return draft


def _recipients(addresses: list[AddressIn] | None) -> list[Recipient] | None:
    if addresses is None:
        return None
    return [Recipient(name=address.name, email=address.email) for address in addresses]


@router.post("/orders/{order_id}/email-drafts", response=responses({201: DraftOut}, 400, 403, 404))
def draft_create(request: HttpRequest, order_id: Id, payload: DraftCreateIn) -> Status[dict]:
    """A draft pre-filled from a template: recipients, parts, signature and the template's document."""
    employee = caller(request)
    order = order_get_for_user(employee=employee, pk=order_id)
    # The reason a refused caller gets comes before anything about the request's content.
    ensure_can_send(employee=employee, order=order)
    errors: dict[str, list[str]] = {}
    contact = None
    if payload.contact_id is not None:
        contact = order_contacts(order=order).filter(pk=payload.contact_id).first()
        if contact is None:
            errors["contact_id"] = [_("Ce contact n'appartient ni au client ni aux bâtiments de la commande.")]
    template = None
    if payload.template_id is not None:
        template = _active_template(payload.template_id, errors=errors)
    elif payload.type:
        language = payload.language or (contact.language if contact else order.client.language)
        template = email_template_for(type_code=payload.type, language=language)
        if template is None:
            errors["type"] = [_("Aucun gabarit actif de ce type.")]
    else:
        errors["template_id"] = [_("Indiquez le gabarit (template_id) ou le type d'eMail (type).")]
    if errors or template is None:
        raise DraftInvalid(errors)

    # The template's own document is chosen through the service's selection, so that its
    # placeholders (report date, offer number…) speak of that document; the others follow.
    selection: dict[str, Any] | None = None
    others: list[DocumentIn] = []
    if payload.documents is not None:
        selection = {}
        for document in payload.documents:
            if not selection and document.kind == template.attachment_kind:
                selection = document.selection(order)
            else:
                others.append(document)
    with transaction.atomic():
        draft = email_draft_create(
            order=order, author=employee, template=template, contact=contact, selection=selection
        )
        # A draft whose documents could not all be attached is not kept half made.
        errors = _add_documents(draft=draft, employee=employee, documents=others)
        if errors:
            raise DraftInvalid(errors)
    return Status(201, draft_out(draft, employee=employee))


@router.get("/email-drafts/{draft_id}", response=responses({200: DraftOut}, 403, 404))
def draft_detail(request: HttpRequest, draft_id: Id) -> dict:
    """One of the caller's own drafts; someone else's is not found."""
    employee = caller(request)
    return draft_out(email_draft_get_for_user(employee=employee, pk=draft_id), employee=employee)


@router.patch("/email-drafts/{draft_id}", response=responses({200: DraftOut}, 400, 403, 404) | CONFLICT)
def draft_update(request: HttpRequest, draft_id: Id, payload: DraftPatchIn) -> dict:
    """Changes the parts given; if any is refused, none is changed (422 lists each refusal)."""
    employee = caller(request)
    draft = _editable_draft(employee, draft_id)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        if payload.template_id is not None:
            template = _active_template(payload.template_id, errors=errors)
            if template is not None:
                email_draft_apply_template(draft=draft, employee=employee, template=template)
        known = set(draft.attachments.values_list("pk", flat=True))
        for rename in payload.attachments or []:
            if rename.id not in known:
                errors.setdefault(f"attachment-{rename.id}", []).append(_("Cette annexe n'existe pas."))
        result = email_draft_update(
            draft=draft,
            employee=employee,
            changes=DraftChanges(
                to=_recipients(payload.to),
                cc=_recipients(payload.cc),
                bcc=_recipients(payload.bcc),
                bcc_me=payload.bcc_me,
                subject=payload.subject,
                greeting=payload.greeting,
                motivation=payload.motivation,
                body=payload.body,
                closing=payload.closing,
                signature=payload.signature,
                attachment_names={rename.id: rename.filename for rename in payload.attachments or []},
            ),
        )
        _merge(errors, result.errors)
        for attachment_id in payload.remove_attachments or []:
            try:
                draft_attachment_remove(draft=draft, employee=employee, attachment_id=attachment_id)
            except DraftInvalid as error:
                _merge(errors, error.errors)
        _merge(errors, _add_documents(draft=draft, employee=employee, documents=payload.add_documents or []))
        if errors:
            # Raised inside the transaction: the valid changes are rolled back with the rest.
            raise DraftInvalid(errors)
    draft.refresh_from_db()
    return draft_out(draft, employee=employee, notices=result.notices)


@router.delete("/email-drafts/{draft_id}", response=responses({204: None}, 403, 404) | CONFLICT)
def draft_discard(request: HttpRequest, draft_id: Id) -> Status[None]:
    employee = caller(request)
    email_draft_discard(draft=_editable_draft(employee, draft_id), employee=employee)
    return Status(204, None)


@router.post("/email-drafts/{draft_id}/attachments", response=responses({201: DraftOut}, 403, 404) | CONFLICT)
def draft_upload(request: HttpRequest, draft_id: Id, file: File[UploadedFile]) -> Status[dict]:
    """Attaches an uploaded file (multipart/form-data, field `file`); answers with the draft."""
    employee = caller(request)
    draft = _editable_draft(employee, draft_id)
    draft_attachment_upload(draft=draft, employee=employee, upload=file)
    draft.refresh_from_db()  # also drops the attachments the selector prefetched
    return Status(201, draft_out(draft, employee=employee))


@router.get("/email-drafts/{draft_id}/preview", response=responses({200: PreviewOut}, 403, 404))
def draft_preview(request: HttpRequest, draft_id: Id) -> dict:
    """The text and HTML bodies as they would be sent, and the attachments' total size."""
    draft = email_draft_get_for_user(employee=caller(request), pk=draft_id)
    parts = draft_parts(draft)
    return {
        "text": body_text(parts),
        "html": body_html(parts, language=draft.language),
        "size": draft_total_size(draft=draft),
    }


@router.post("/email-drafts/{draft_id}/send", response=responses({202: SentOut}, 403, 404) | CONFLICT)
def draft_send(request: HttpRequest, draft_id: Id) -> Status[dict]:
    """Freezes the message and queues it. A second call for the same draft sends nothing: 409."""
    employee = caller(request)
    draft = email_draft_get_for_user(employee=employee, pk=draft_id)
    email = email_send(draft=draft, employee=employee)
    return Status(202, {"email_id": email.pk, "status": email.status})
