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
from organisatrice.emails.composer.prefill import template_for_document
from organisatrice.emails.composer.selectors import email_draft_get_for_user, main_contact, order_contacts
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import EmailDraft, EmailTemplate, OutgoingEmail
from organisatrice.emails.policy import ensure_can_send
from organisatrice.emails.templating.selectors import email_template_for, email_templates_active
from organisatrice.orders.selectors import order_get_for_user, order_recipient_candidates
from organisatrice.people.models import Employee

from ..auth import caller
from ..errors import CONFLICT, responses
from ..schemas import Id, SentOut
from .schemas import AddressIn, DocumentIn, DraftCreateIn, DraftOut, DraftPatchIn, PreviewOut

router = Router(tags=["Brouillons"])


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
def draft_create(request: HttpRequest, order_id: Id, payload: DraftCreateIn) -> Status[EmailDraft]:
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
    elif not payload.type and payload.documents:
        # Sent from a document, as from the order page: its kind's template, in the main
        # contact's language, to the main contact unless one is given.
        if payload.contact_id is None:
            contact = main_contact(order_recipient_candidates(order=order))
        language = payload.language or (contact.language if contact else order.client.language)
        template = template_for_document(kind=payload.documents[0].kind, language=language)
        if template is None:
            errors["documents"] = [_("Aucun gabarit actif n'envoie ce type de document.")]
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
    return Status(201, draft)


@router.get("/email-drafts/{draft_id}", response=responses({200: DraftOut}, 403, 404))
def draft_detail(request: HttpRequest, draft_id: Id) -> EmailDraft:
    """One of the caller's own drafts; someone else's is not found."""
    return email_draft_get_for_user(employee=caller(request), pk=draft_id)


@router.patch("/email-drafts/{draft_id}", response=responses({200: DraftOut}, 400, 403, 404) | CONFLICT)
def draft_update(request: HttpRequest, draft_id: Id, payload: DraftPatchIn) -> DraftOut:
    """Changes the parts given; if any is refused, none is changed (422 lists each refusal)."""
    employee = caller(request)
    draft = _editable_draft(employee, draft_id)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        if payload.template_id is not None or payload.document is not None:
            template = draft.template
            if payload.template_id is not None:
                template = _active_template(payload.template_id, errors=errors)
            if template is not None:
                email_draft_apply_template(
                    draft=draft,
                    employee=employee,
                    template=template,
                    selection=payload.document.selection(draft.order) if payload.document else None,
                    # A document chosen keeps what was written, as the composer does.
                    keep_edits=payload.keep_edits or payload.document is not None,
                )
                draft.refresh_from_db()
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
    return DraftOut.model_validate(draft, context={"request": request, "notices": result.notices})


@router.delete("/email-drafts/{draft_id}", response=responses({204: None}, 403, 404) | CONFLICT)
def draft_discard(request: HttpRequest, draft_id: Id) -> Status[None]:
    employee = caller(request)
    email_draft_discard(draft=_editable_draft(employee, draft_id), employee=employee)
    return Status(204, None)


@router.post("/email-drafts/{draft_id}/attachments", response=responses({201: DraftOut}, 403, 404) | CONFLICT)
def draft_upload(request: HttpRequest, draft_id: Id, file: File[UploadedFile]) -> Status[EmailDraft]:
    """Attaches an uploaded file (multipart/form-data, field `file`); answers with the draft."""
    employee = caller(request)
    draft = _editable_draft(employee, draft_id)
    draft_attachment_upload(draft=draft, employee=employee, upload=file)
    draft.refresh_from_db()  # also drops the attachments the selector prefetched
    return Status(201, draft)


@router.get("/email-drafts/{draft_id}/preview", response=responses({200: PreviewOut}, 403, 404))
def draft_preview(request: HttpRequest, draft_id: Id) -> EmailDraft:
    """The text and HTML bodies as they would be sent, and the attachments' total size."""
    return email_draft_get_for_user(employee=caller(request), pk=draft_id)


@router.post("/email-drafts/{draft_id}/send", response=responses({202: SentOut}, 403, 404) | CONFLICT)
def draft_send(request: HttpRequest, draft_id: Id, confirm_expired_offer: bool = False) -> Status[OutgoingEmail]:
    """Freezes the message and queues it. A second call for the same draft sends nothing: 409.

    An expired offer still presented by its template's sentence is refused (422) unless
    `confirm_expired_offer` is true."""
    employee = caller(request)
    draft = email_draft_get_for_user(employee=employee, pk=draft_id)
    return Status(202, email_send(draft=draft, employee=employee, confirm_expired_offer=confirm_expired_offer))
