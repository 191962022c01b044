"""What stands between a draft and Send, and Send itself: the draft frozen into its message."""

from dataclasses import dataclass

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from organisatrice.content_store import blob_put, blob_read
from organisatrice.documents.kinds import DocumentKind
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get

from ..message.bodies import EmailParts, body_html, body_text, sender_name
from ..message.mime import AttachmentContent, message_build
from ..message.recipients import (
    Recipient,
    recipients_dedupe,
    recipients_from_json,
    recipients_to_json,
)
from ..models import EmailDraft, OutgoingAttachment, OutgoingEmail
from ..outbox.machine import outbox_enqueue
from ..policy import ensure_can_send
from .errors import DraftAlreadySent, DraftInvalid
from .selectors import draft_total_size

SIZE_WARNING_FRACTION = 0.8


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
        outbox_enqueue(email=email)
    return email
