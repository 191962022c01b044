"""Drafts: pre-filled from a template, edited part by part, discarded.

A template's document is rendered before the transaction that writes the draft (see
attachments).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisatrice.clients.models import Contact
from organisatrice.documents.services import filename_clean
from organisatrice.orders.models import Order
from organisatrice.orders.selectors import order_recipient_candidates
from organisatrice.people.models import Employee
from organisatrice.people.selectors import company_settings_get

from ..message.bodies import signature_default
from ..message.recipients import (
    Recipient,
    has_control_character,
    has_line_break,
    recipient_validate,
    recipients_dedupe,
    recipients_to_json,
)
from ..models import DraftAttachment, EmailDraft, EmailTemplate
from ..policy import ensure_can_send
from .attachments import attachment_record, template_document_prepare
from .errors import DraftInvalid, ensure_editable, lock_editable
from .prefill import (
    TEXT_PARTS,
    default_selection,
    ensure_template_usable,
    parts_render,
    parts_render_for_each,
    parts_untouched,
    primary_contact,
    template_for_document,
    template_records,
    template_selection,
)
from .selectors import main_contact

NOT_ALLOWED_CHARACTER = gettext_lazy("Ce texte contient un caractère non autorisé (NUL ou caractère de contrôle).")


# --- Pre-filling from a template ---------------------------------------------------------


def email_draft_create(
    *,
    order: Order,
    author: Employee,
    template: EmailTemplate,
    contact: Contact | None = None,
    selection: dict | None = None,
) -> EmailDraft:
    """A draft pre-filled from the template: recipients, parts, signature, attachment."""
    ensure_can_send(employee=author, order=order)
    company = company_settings_get()
    if contact is not None and not _is_order_contact(order=order, contact=contact):
        raise DraftInvalid({"to": [_("Ce contact n'appartient ni au client ni aux bâtiments de la commande.")]})
    to = _initial_recipients(contact)
    if selection is None:
        selection = default_selection(order=order, kind=template.attachment_kind)
        ensure_template_usable(template=template, default=selection)
    records = template_records(order=order, template=template, selection=selection)
    parts = parts_render(
        template=template, order=order, employee=author, company=company, contact=contact, records=records
    )
    document = template_document_prepare(order=order, template=template, selection=selection, records=records)
    with transaction.atomic():
        draft = EmailDraft.objects.create(
            order=order,
            author=author,
            template=template,
            language=template.language,
            to=recipients_to_json(to),
            bcc_me=company.bcc_me_default and not _keeps_sent_copy(author),
            signature=signature_default(employee=author, company=company, language=template.language),
            **parts,
        )
        if document is not None:
            attachment_record(draft=draft, prepared=document, position=0)
    return draft


def email_draft_for_document(*, order: Order, author: Employee, kind: str, selection: dict) -> EmailDraft:
    """The draft that sends one document to the client: the template of its kind in the main
    contact's language, that contact as recipient, that document attached."""
    contact = main_contact(order_recipient_candidates(order=order))
    language = contact.language if contact else order.client.language
    template = template_for_document(kind=kind, language=language)
    if template is None:
        raise DraftInvalid({"template": [_("Aucun gabarit actif n'envoie ce type de document.")]})
    return email_draft_create(order=order, author=author, template=template, contact=contact, selection=selection)


def _keeps_sent_copy(employee: Employee) -> bool:
    """Whether the employee's own Sent folder gets a copy of each email (organisatrice.sentcopy):
    then "Copie cachée pour moi" would be a second one. Read by the relation's name, since
    emails never imports that app above it."""
    mailbox = getattr(employee, "sent_copy_mailbox", None)
    return bool(mailbox and mailbox.enabled)


def _initial_recipients(contact: Contact | None) -> list[Recipient]:
    """The contact as first recipient, checked like an address typed in the composer: its
    name may come from before the backoffice refused line breaks, or from an import."""
    if contact is None or not contact.email:
        return []
    try:
        return [recipient_validate(name=contact.full_name, email=contact.email)]
    except ValidationError as error:
        raise DraftInvalid(
            {
                "to": [
                    _("Le contact « %(contact)s » ne peut pas recevoir d'eMail : %(reason)s Corrigez-le au backoffice.")
                    % {"contact": _visible(contact.full_name), "reason": " ".join(error.messages)}
                ]
            }
        ) from error


def _visible(text: str) -> str:
    return " ".join(text.split()).replace("\x00", "")


# --- Editing --------------------------------------------------------------------------------


@dataclass
class DraftChanges:
    """What the composer sends back; None leaves a part as it is."""

    to: list[Recipient] | None = None
    cc: list[Recipient] | None = None
    bcc: list[Recipient] | None = None
    bcc_me: bool | None = None
    subject: str | None = None
    greeting: str | None = None
    motivation: str | None = None
    body: str | None = None
    closing: str | None = None
    signature: str | None = None
    attachment_names: dict[int, str] = field(default_factory=dict)


@dataclass
class DraftUpdateResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


@transaction.atomic
def email_draft_update(*, draft: EmailDraft, employee: Employee, changes: DraftChanges) -> DraftUpdateResult:
    """Saves every valid change and reports the others, so that nothing typed is lost
    because of a mistake elsewhere in the form."""
    draft = EmailDraft.objects.select_for_update().get(pk=draft.pk)
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    result = DraftUpdateResult()
    for name in ("to", "cc", "bcc"):
        recipients = getattr(changes, name)
        if recipients is None:
            continue
        valid = []
        for recipient in recipients:
            try:
                valid.append(recipient_validate(name=recipient.name, email=recipient.email))
            except ValidationError as error:
                result.errors.setdefault(name, []).extend(error.messages)
        setattr(draft, name, recipients_to_json(recipients_dedupe(valid)))
    if changes.bcc_me is not None:
        draft.bcc_me = changes.bcc_me
    if changes.subject is not None:
        if has_line_break(changes.subject):
            result.errors.setdefault("subject", []).append(_("Le concerne ne peut pas contenir de saut de ligne."))
        elif has_control_character(changes.subject):
            result.errors.setdefault("subject", []).append(str(NOT_ALLOWED_CHARACTER))
        elif len(changes.subject) > EmailDraft._meta.get_field("subject").max_length:  # type: ignore[operator]
            result.errors.setdefault("subject", []).append(_("Le concerne est trop long (300 caractères au plus)."))
        else:
            draft.subject = changes.subject.strip()
    for name in (*TEXT_PARTS, "signature"):
        value = getattr(changes, name)
        if value is None:
            continue
        if "\x00" in value:
            # Refused, not dropped: the text is shown again for the user to correct.
            result.errors.setdefault(name, []).append(str(NOT_ALLOWED_CHARACTER))
        else:
            setattr(draft, name, value.replace("\r\n", "\n"))
    draft.save()
    attachments = {a.pk: a for a in draft.attachments.all()}
    for attachment_id, name in changes.attachment_names.items():
        attachment = attachments.get(attachment_id)
        if attachment is None or name == attachment.filename:
            continue
        cleaned = filename_clean(name=name, content_type=attachment.content_type)
        if not cleaned.name:
            result.errors.setdefault(f"attachment-{attachment_id}", []).append(_("Le nom de fichier est vide."))
            continue
        result.notices.extend(
            _("« %(name)s » : %(change)s") % {"name": cleaned.name, "change": change} for change in cleaned.changes
        )
        attachment.filename = cleaned.name
        # An update, not save(): a template applied meanwhile (the language switch clicked
        # while this autosave was on its way) may have replaced the attachment.
        DraftAttachment.objects.filter(pk=attachment.pk).update(filename=cleaned.name)
    return result


def email_draft_apply_template(
    *,
    draft: EmailDraft,
    employee: Employee,
    template: EmailTemplate,
    selection: dict | None = None,
    keep_edits: bool = False,
) -> set[str]:
    """Fills the parts anew from another template, or the same one on another document.

    The template's document is the one chosen (`selection`), else the one the draft has
    when the kind is the same, else the default. With `keep_edits`, only the parts still
    as the previous template wrote them are replaced, and the other documents stay.
    Returns the parts kept as the employee wrote them.
    """
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    company = company_settings_get()
    contact = primary_contact(draft=draft)
    current = template_selection(draft)
    if selection is None:
        same_kind = draft.template is not None and draft.template.attachment_kind == template.attachment_kind
        selection = (
            current if same_kind and current else default_selection(order=draft.order, kind=template.attachment_kind)
        )
        ensure_template_usable(template=template, default=selection)
    records = template_records(order=draft.order, template=template, selection=selection)
    parts = parts_render(
        template=template, order=draft.order, employee=employee, company=company, contact=contact, records=records
    )
    replaced, signature_kept = set(parts), False
    if keep_edits and draft.template is not None:
        try:
            # As written for one of the order's contacts (the draft may have changed its
            # recipient since), or for none (a draft begun before choosing one).
            before = parts_render_for_each(
                template=draft.template,
                order=draft.order,
                employee=employee,
                company=company,
                contacts=[None, *order_recipient_candidates(order=draft.order).all_contacts()],
                records=template_records(order=draft.order, template=draft.template, selection=current),
            )
        except DraftInvalid:
            before = []  # the old template no longer renders: every part counts as written by hand
        replaced = parts_untouched(draft=draft, rendered_before=before)
        old_signature = signature_default(employee=employee, company=company, language=draft.language)
        signature_kept = draft.signature.strip() != old_signature.strip()
    document = template_document_prepare(order=draft.order, template=template, selection=selection, records=records)
    with transaction.atomic():
        locked = lock_editable(draft=draft, employee=employee)
        for name in replaced:
            setattr(locked, name, parts[name])
        locked.template = template
        locked.language = template.language
        if not signature_kept:
            locked.signature = signature_default(employee=employee, company=company, language=template.language)
        locked.save()
        generated = locked.attachments.exclude(source=DraftAttachment.Source.UPLOAD)
        if keep_edits:
            # Only the template's own document is replaced; documents added by hand stay.
            generated = generated.filter(document_kind=draft.template.attachment_kind if draft.template else "")
        generated.delete()
        if document is not None:
            attachment_record(draft=locked, prepared=document, position=0)
    draft.refresh_from_db()
    kept = set(parts) - replaced
    return kept | {"signature"} if signature_kept else kept


def _is_order_contact(*, order: Order, contact: Contact) -> bool:
    # Through the candidates, which reuse the contacts the order was fetched with.
    return any(c.pk == contact.pk for c in order_recipient_candidates(order=order).all_contacts())


@transaction.atomic
def email_draft_discard(*, draft: EmailDraft, employee: Employee) -> None:
    # Under the lock: a Send that commits meanwhile keeps its draft, and this one is told.
    lock_editable(draft=draft, employee=employee).delete()
