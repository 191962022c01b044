"""Drafts: pre-filled from a template, edited part by part, discarded.

A template's document is rendered before the transaction that writes the draft (see
attachments).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from organisatrice.clients.models import Contact
from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import filename_clean
from organisatrice.orders.models import Offer, Order, WorkReport
from organisatrice.orders.selectors import order_recipient_candidates
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get

from ..message.bodies import signature_default
from ..message.recipients import (
    Recipient,
    has_control_character,
    has_line_break,
    recipient_validate,
    recipients_dedupe,
    recipients_from_json,
    recipients_to_json,
)
from ..models import DraftAttachment, EmailDraft, EmailTemplate
from ..policy import ensure_can_send
from ..templating.placeholders import placeholder_values
from ..templating.rendering import TemplateRenderError, template_part_render
from .attachments import attachment_record, template_document_prepare
from .errors import DraftInvalid, ensure_editable, lock_editable
from .selectors import order_contacts

TEXT_PARTS = ("greeting", "motivation", "body", "closing")
NOT_ALLOWED_CHARACTER = gettext_lazy("Ce texte contient un caractère non autorisé (NUL ou caractère de contrôle).")


# --- Pre-filling from a template ---------------------------------------------------------


def _default_selection(*, order: Order, kind: str) -> dict:
    if kind == DocumentKind.WORK_REPORT:
        # The report not yet sent to the client is the one to send; else the latest.
        report = order.work_reports.order_by("reported_at", "-date", "-id").first()
        return {"work_report": report.pk} if report else {}
    if kind == DocumentKind.OFFER:
        offer = order.offers.order_by("-date", "-id").first()
        return {"offer": offer.pk} if offer else {}
    if kind == DocumentKind.PHOTO_DOCUMENTATION:
        photos = list(order.photos.order_by("taken_at", "id").values_list("pk", flat=True))
        return {"photos": photos} if photos else {}
    return {}


@dataclass
class _DocumentFacts:
    work_report: WorkReport | None = None
    offer: Offer | None = None
    photo_count: int = 0


def _document_facts(*, order: Order, selection: dict) -> _DocumentFacts:
    facts = _DocumentFacts()
    if "work_report" in selection:
        facts.work_report = order.work_reports.filter(pk=selection["work_report"]).first()
    if "offer" in selection:
        facts.offer = order.offers.filter(pk=selection["offer"]).first()
    if "photos" in selection:
        facts.photo_count = order.photos.filter(pk__in=selection["photos"]).count()
    return facts


def _render_parts(
    *,
    template: EmailTemplate,
    order: Order,
    employee: Employee,
    company: CompanySettings,
    contact: Contact | None,
    selection: dict,
) -> dict[str, str]:
    facts = _document_facts(order=order, selection=selection)
    with override(template.language):
        document_name = str(DocumentKind(template.attachment_kind).label) if template.attachment_kind else ""
    values = placeholder_values(
        order=order,
        employee=employee,
        company=company,
        language=template.language,
        contact=contact,
        work_report=facts.work_report,
        offer=facts.offer,
        photo_count=facts.photo_count,
        document_name=document_name,
    )
    rendered = {}
    for part in ("subject", *TEXT_PARTS):
        try:
            rendered[part] = template_part_render(getattr(template, part), values).strip()
        except TemplateRenderError as error:
            label = EmailTemplate._meta.get_field(part).verbose_name  # type: ignore[union-attr]
            raise DraftInvalid(
                {
                    "template": [
                        _("Le gabarit « %(template)s » ne peut pas être rendu (%(part)s) : %(error)s")
                        % {"template": template.name, "part": label, "error": error}
                    ]
                }
            ) from error
    # A subject is one line, whatever the template or the data hold.
    rendered["subject"] = " ".join(rendered["subject"].split())
    return rendered


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
        selection = _default_selection(order=order, kind=template.attachment_kind)
    parts = _render_parts(
        template=template, order=order, employee=author, company=company, contact=contact, selection=selection
    )
    document = template_document_prepare(order=order, template=template, selection=selection)
    with transaction.atomic():
        draft = EmailDraft.objects.create(
            order=order,
            author=author,
            template=template,
            language=template.language,
            to=recipients_to_json(to),
            bcc_me=company.bcc_me_default,
            signature=signature_default(employee=author, company=company, language=template.language),
            **parts,
        )
        if document is not None:
            attachment_record(draft=draft, prepared=document, position=0)
    return draft


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
        attachment.save(update_fields=["filename"])
    return result


def email_draft_apply_template(*, draft: EmailDraft, employee: Employee, template: EmailTemplate) -> EmailDraft:
    """Fills the parts anew from another template and replaces the generated documents."""
    ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    company = company_settings_get()
    contact = _primary_contact(draft=draft)
    selection = _default_selection(order=draft.order, kind=template.attachment_kind)
    parts = _render_parts(
        template=template, order=draft.order, employee=employee, company=company, contact=contact, selection=selection
    )
    document = template_document_prepare(order=draft.order, template=template, selection=selection)
    with transaction.atomic():
        lock_editable(draft=draft, employee=employee)
        for name, value in parts.items():
            setattr(draft, name, value)
        draft.template = template
        draft.language = template.language
        draft.signature = signature_default(employee=employee, company=company, language=template.language)
        draft.save()
        draft.attachments.exclude(source=DraftAttachment.Source.UPLOAD).delete()
        if document is not None:
            attachment_record(draft=draft, prepared=document, position=0)
    return draft


def _is_order_contact(*, order: Order, contact: Contact) -> bool:
    # Through the candidates, which reuse the contacts the order was fetched with.
    return any(c.pk == contact.pk for c in order_recipient_candidates(order=order).all_contacts())


def _primary_contact(*, draft: EmailDraft) -> Contact | None:
    """The contact behind the first To address, whose salutation the template uses."""
    first = next(iter(recipients_from_json(draft.to)), None)
    if first is None:
        return None
    return order_contacts(order=draft.order).filter(email__iexact=first.email).order_by("pk").first()


@transaction.atomic
def email_draft_discard(*, draft: EmailDraft, employee: Employee) -> None:
    # Under the lock: a Send that commits meanwhile keeps its draft, and this one is told.
    lock_editable(draft=draft, employee=employee).delete()
