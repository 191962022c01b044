"""Writes of the email module: drafts and their attachments, and Send."""

import mimetypes
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import override

from organisatrice.clients.models import Contact
from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import DocumentError, document_render, filename_clean
from organisatrice.orders.models import Offer, Order, OrderEvent, WorkReport
from organisatrice.orders.selectors import order_recipient_candidates
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get

from . import outbox
from .assembly import EmailParts, body_html, body_text, signature_default
from .blobs import blob_put, blob_read
from .message import AttachmentContent, message_build
from .models import DraftAttachment, EmailDraft, EmailNote, EmailTemplate, OutgoingAttachment, OutgoingEmail
from .placeholders import placeholder_values
from .policy import ensure_can_read_archive, ensure_can_send
from .recipients import (
    Recipient,
    has_line_break,
    recipient_validate,
    recipients_dedupe,
    recipients_from_json,
    recipients_to_json,
)
from .rendering import TemplateRenderError, template_part_render
from .selectors import draft_total_size, order_contacts

TEXT_PARTS = ("greeting", "motivation", "body", "closing")
SIZE_WARNING_FRACTION = 0.8


class DraftInvalid(ValueError):
    """The draft cannot be used as it is; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


class DraftAlreadySent(Exception):
    def __init__(self, email: OutgoingEmail) -> None:
        super().__init__(_("Ce brouillon a déjà été envoyé."))
        self.email = email


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


def sender_name(*, employee: Employee, company: CompanySettings) -> str:
    # Plain replacement, not str.format: the pattern is edited in the backoffice and
    # must not reach into objects.
    name = (company.sender_name_format or "{employee}").replace("{employee}", employee.full_name)
    name = name.replace("{company}", company.name)
    return " ".join(name.split())


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


def _attach_document(
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


def _attach_template_document(*, draft: EmailDraft, template: EmailTemplate, selection: dict) -> None:
    """The document the template attaches, first among the draft's generated attachments."""
    if template.attachment_kind and selection:
        _attach_document(
            draft=draft,
            kind=template.attachment_kind,
            selection=selection,
            filename_pattern=template.filename_pattern,
            position=0,
        )


@transaction.atomic
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
    if selection is None:
        selection = _default_selection(order=order, kind=template.attachment_kind)
    parts = _render_parts(
        template=template, order=order, employee=author, company=company, contact=contact, selection=selection
    )
    draft = EmailDraft.objects.create(
        order=order,
        author=author,
        template=template,
        language=template.language,
        to=[Recipient(name=contact.full_name, email=contact.email).as_dict()] if contact and contact.email else [],
        bcc_me=company.bcc_me_default,
        signature=signature_default(employee=author, company=company, language=template.language),
        **parts,
    )
    _attach_template_document(draft=draft, template=template, selection=selection)
    return draft


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


def _ensure_editable(*, draft: EmailDraft, employee: Employee) -> None:
    if draft.author_id != employee.pk:
        raise DraftInvalid({"draft": [_("Ce brouillon appartient à un autre collaborateur.")]})
    if draft.status != EmailDraft.Status.EDITING:
        raise DraftInvalid({"draft": [_("Ce brouillon a déjà été envoyé ; il ne peut plus être modifié.")]})


@transaction.atomic
def email_draft_update(*, draft: EmailDraft, employee: Employee, changes: DraftChanges) -> DraftUpdateResult:
    """Saves every valid change and reports the others, so that nothing typed is lost
    because of a mistake elsewhere in the form."""
    draft = EmailDraft.objects.select_for_update().get(pk=draft.pk)
    _ensure_editable(draft=draft, employee=employee)
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
        elif len(changes.subject) > EmailDraft._meta.get_field("subject").max_length:  # type: ignore[operator]
            result.errors.setdefault("subject", []).append(_("Le concerne est trop long (300 caractères au plus)."))
        else:
            draft.subject = changes.subject.strip()
    for name in (*TEXT_PARTS, "signature"):
        value = getattr(changes, name)
        if value is not None:
            setattr(draft, name, value.replace("\r\n", "\n").replace("\x00", ""))
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


@transaction.atomic
def email_draft_apply_template(*, draft: EmailDraft, employee: Employee, template: EmailTemplate) -> EmailDraft:
    """Fills the parts anew from another template and replaces the generated documents."""
    _ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    company = company_settings_get()
    contact = _primary_contact(draft=draft)
    selection = _default_selection(order=draft.order, kind=template.attachment_kind)
    parts = _render_parts(
        template=template, order=draft.order, employee=employee, company=company, contact=contact, selection=selection
    )
    for name, value in parts.items():
        setattr(draft, name, value)
    draft.template = template
    draft.language = template.language
    draft.signature = signature_default(employee=employee, company=company, language=template.language)
    draft.save()
    draft.attachments.exclude(source=DraftAttachment.Source.UPLOAD).delete()
    _attach_template_document(draft=draft, template=template, selection=selection)
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
    _ensure_editable(draft=draft, employee=employee)
    ensure_can_send(employee=employee, order=draft.order)
    if kind not in DocumentKind.values:
        raise DraftInvalid({"attachments": [_("Type de document inconnu.")]})
    attachment = _attach_document(draft=draft, kind=kind, selection=selection)
    _ensure_fits(draft=draft, adding=0, company=company_settings_get())
    return attachment


@transaction.atomic
def draft_attachment_upload(*, draft: EmailDraft, employee: Employee, upload: UploadedFile) -> DraftAttachment:
    _ensure_editable(draft=draft, employee=employee)
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
    _ensure_editable(draft=draft, employee=employee)
    deleted, _counts = draft.attachments.filter(pk=attachment_id).delete()
    if not deleted:
        raise DraftInvalid({"attachments": [_("Cette annexe n'existe plus.")]})


@transaction.atomic
def email_draft_discard(*, draft: EmailDraft, employee: Employee) -> None:
    _ensure_editable(draft=draft, employee=employee)
    draft.delete()


# --- Checks and Send ------------------------------------------------------------------------


def draft_problems(*, draft: EmailDraft, company: CompanySettings) -> dict[str, list[str]]:
    """What prevents sending the draft now."""
    problems: dict[str, list[str]] = {}
    if not draft.to:
        problems["to"] = [_("Indiquez au moins un destinataire (À).")]
    if not draft.subject.strip():
        problems["subject"] = [_("Le concerne est vide.")]
    total = draft_total_size(draft=draft)
    if total > company.max_attachments_size:
        problems["attachments"] = [
            _("Les annexes dépassent la taille maximale (%(total)s sur %(limit)s).")
            % {"total": filesizeformat(total), "limit": filesizeformat(company.max_attachments_size)}
        ]
    return problems


def draft_warnings(*, draft: EmailDraft, company: CompanySettings) -> list[str]:
    warnings = []
    total = draft_total_size(draft=draft)
    if SIZE_WARNING_FRACTION * company.max_attachments_size <= total <= company.max_attachments_size:
        warnings.append(
            _("Les annexes atteignent %(percent)d %% de la taille maximale (%(limit)s).")
            % {
                "percent": 100 * total // company.max_attachments_size,
                "limit": filesizeformat(company.max_attachments_size),
            }
        )
    if draft.template and draft.template.attachment_kind and not draft.attachments.all():
        warnings.append(_("Aucune annexe : la commande n'a pas de document de ce type."))
    return warnings


@dataclass(frozen=True)
class Envelope:
    to: list[Recipient]
    cc: list[Recipient]
    bcc: list[Recipient]
    reply_to: Recipient | None


def draft_envelope(*, draft: EmailDraft, employee: Employee) -> Envelope:
    bcc = recipients_from_json(draft.bcc)
    reply_to = Recipient(name=employee.full_name, email=employee.email) if employee.email else None
    if draft.bcc_me and employee.email:
        bcc = [*bcc, Recipient(name=employee.full_name, email=employee.email)]
    return Envelope(
        to=recipients_from_json(draft.to),
        cc=recipients_from_json(draft.cc),
        bcc=recipients_dedupe(bcc),
        reply_to=reply_to,
    )


def draft_parts(draft: EmailDraft) -> EmailParts:
    return EmailParts(
        greeting=draft.greeting,
        motivation=draft.motivation,
        body=draft.body,
        closing=draft.closing,
        signature=draft.signature,
    )


def email_send(*, draft: EmailDraft, employee: Employee) -> OutgoingEmail:
    """Freezes the draft into its MIME message and queues it, in one transaction.

    A second Send of the same draft (double click, two tabs, a retried request) finds
    the draft already sent and raises DraftAlreadySent with the email of the first.
    """
    company = company_settings_get()
    with transaction.atomic():
        locked = EmailDraft.objects.select_for_update().select_related("order").get(pk=draft.pk)
        if locked.status == EmailDraft.Status.SENT:
            raise DraftAlreadySent(OutgoingEmail.objects.get(draft=locked))
        if locked.author_id != employee.pk:
            raise DraftInvalid({"draft": [_("Ce brouillon appartient à un autre collaborateur.")]})
        ensure_can_send(employee=employee, order=locked.order)
        problems = draft_problems(draft=locked, company=company)
        if problems:
            raise DraftInvalid(problems)
        envelope = draft_envelope(draft=locked, employee=employee)
        parts = draft_parts(locked)
        text, html = body_text(parts), body_html(parts, language=locked.language)
        attachments = list(locked.attachments.all())
        built = message_build(
            sender_name=sender_name(employee=employee, company=company),
            sender_address=company.sending_address,
            reply_to=envelope.reply_to,
            to=envelope.to,
            cc=envelope.cc,
            subject=locked.subject,
            text=text,
            html=html,
            attachments=[
                AttachmentContent(filename=a.filename, content_type=a.content_type, content=blob_read(a.sha256))
                for a in attachments
            ],
            message_id_domain=company.sending_domain,
        )
        email = OutgoingEmail.objects.create(
            order=locked.order,
            draft=locked,
            sender=employee,
            template_type=locked.template.type.code if locked.template else "",
            message_id=built.message_id,
            from_header=built.from_header,
            reply_to=built.reply_to,
            to=recipients_to_json(envelope.to),
            cc=recipients_to_json(envelope.cc),
            bcc=recipients_to_json(envelope.bcc),
            subject=locked.subject,
            text_body=text,
            html_body=html,
            raw_sha256=blob_put(built.raw),
            raw_size=len(built.raw),
        )
        OutgoingAttachment.objects.bulk_create(
            OutgoingAttachment(
                email=email,
                position=position,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                document_kind=a.document_kind,
                work_report_id=a.selection.get("work_report") if a.document_kind == DocumentKind.WORK_REPORT else None,
            )
            for position, a in enumerate(attachments)
        )
        locked.status = EmailDraft.Status.SENT
        locked.save(update_fields=["status", "updated_at"])
        outbox.outbox_enqueue(email=email)
    return email


# --- Archive --------------------------------------------------------------------------------


NOTE_MAX_LENGTH = 5000


@transaction.atomic
def email_note_add(*, email: OutgoingEmail, author: Employee, text: str) -> EmailNote:
    """An internal note on an archived email: kept with author and time, never sent."""
    ensure_can_read_archive(employee=author, order=email.order)
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise DraftInvalid({"text": [_("La note est vide.")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise DraftInvalid({"text": [_("La note est trop longue (5000 caractères au plus).")]})
    note = EmailNote.objects.create(email=email, author=author, text=text)
    OrderEvent.objects.create(
        order_id=email.order_id, kind=OrderEvent.Kind.EMAIL_NOTE, actor=author, email=email, text=text
    )
    return note
