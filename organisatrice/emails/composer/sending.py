"""What stands between a draft and Send, and Send itself: the draft frozen into its message."""

from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organisatrice.content_store import blob_put, blob_read
from organisatrice.deliverability.signing import SigningUnavailable, message_sign
from organisatrice.documents.kinds import DocumentKind
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get
from organisatrice.swiss_numbers import filesize_format

from ..delivery.selectors import hard_bounce_warnings
from ..message.bodies import EmailParts, body_html, body_text, sender_name
from ..message.logo import email_logo
from ..message.mime import AttachmentContent, BuiltMessage, message_build
from ..message.recipients import (
    Recipient,
    recipient_validate,
    recipients_dedupe,
    recipients_from_json,
    recipients_to_json,
)
from ..models import DraftAttachment, EmailDraft, OutgoingAttachment, OutgoingEmail
from ..outbox.services import outbox_enqueue
from ..policy import ensure_can_send
from .checks import content_problems, content_warnings
from .errors import DraftAlreadySent, DraftInvalid
from .selectors import draft_total_size

SIZE_WARNING_FRACTION = 0.8
# Builds of a message outside the transaction before one is made under the draft's lock.
SEND_BUILD_ATTEMPTS = 3


# --- Checks and Send ------------------------------------------------------------------------


def draft_problems(
    *, draft: EmailDraft, company: CompanySettings, confirm_expired_offer: bool = False
) -> dict[str, list[str]]:
    """What prevents sending the draft now."""
    problems: dict[str, list[str]] = {}
    for part, messages in content_problems(draft=draft, company=company, confirm_expired_offer=confirm_expired_offer):
        problems.setdefault(part, []).extend(messages)
    if not draft.to:
        problems["to"] = [_("Indiquez au moins un destinataire (À).")]
    for role in ("to", "cc", "bcc"):
        # Every recipient, however it got into the draft, passes the check a typed one does.
        for recipient in recipients_from_json(getattr(draft, role)):
            try:
                recipient_validate(name=recipient.name, email=recipient.email)
            except ValidationError as error:
                problems.setdefault(role, []).extend(error.messages)
    if not draft.subject.strip():
        problems["subject"] = [_("Le concerne est vide.")]
    total = draft_total_size(draft=draft)
    if total > company.max_attachments_size:
        problems.setdefault("attachments", []).append(
            _("Les annexes dépassent la taille maximale (%(total)s sur %(limit)s).")
            % {"total": filesize_format(total), "limit": filesize_format(company.max_attachments_size)}
        )
    for attachment in draft.attachments.all():
        # Only a draft from before reports were protected can lose its report.
        if attachment.document_kind == DocumentKind.WORK_REPORT and attachment.work_report_id is None:
            problems.setdefault("attachments", []).append(
                _("Le rapport de travail joint n'existe plus (« %(filename)s ») : retirez cette annexe.")
                % {"filename": attachment.filename}
            )
    return problems


def draft_warnings(*, draft: EmailDraft, company: CompanySettings) -> list[str]:
    warnings = []
    total = draft_total_size(draft=draft)
    if SIZE_WARNING_FRACTION * company.max_attachments_size <= total <= company.max_attachments_size:
        warnings.append(
            _("Les annexes atteignent %(percent)d %% de la taille maximale (%(limit)s).")
            % {
                "percent": 100 * total // company.max_attachments_size,
                "limit": filesize_format(company.max_attachments_size),
            }
        )
    warnings.extend(content_warnings(draft=draft))
    chosen = [entry.get("email", "") for role in (draft.to, draft.cc, draft.bcc) for entry in role]
    warnings.extend(hard_bounce_warnings(addresses=chosen))
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


@dataclass(frozen=True)
class _Frozen:
    """A draft built into its message, and what it was built from."""

    built_from: tuple
    envelope: Envelope
    text: str
    html: str
    attachments: list[DraftAttachment]
    built: BuiltMessage
    raw_sha256: str


def _draft_for_send(pk: int, *, lock: bool) -> EmailDraft:
    drafts = EmailDraft.objects.select_for_update() if lock else EmailDraft.objects.all()
    return drafts.select_related("order").prefetch_related("attachments").get(pk=pk)


def _built_from(draft: EmailDraft) -> tuple:
    """Everything of the draft its message is made of: if any of it changed, build again."""
    return (
        draft.template_id,
        draft.language,
        draft.to,
        draft.cc,
        draft.bcc,
        draft.bcc_me,
        draft.subject,
        *(getattr(draft, name) for name in ("greeting", "motivation", "body", "closing", "signature")),
        [(a.pk, a.filename, a.content_type, a.size, a.sha256) for a in draft.attachments.all()],
    )


def _ensure_sendable(
    *, draft: EmailDraft, employee: Employee, company: CompanySettings, confirm_expired_offer: bool = False
) -> None:
    if draft.status == EmailDraft.Status.SENT:
        raise DraftAlreadySent(OutgoingEmail.objects.get(draft=draft))
    if draft.author_id != employee.pk:
        raise DraftInvalid({"draft": [_("Ce brouillon appartient à un autre collaborateur.")]})
    ensure_can_send(employee=employee, order=draft.order)
    problems = draft_problems(draft=draft, company=company, confirm_expired_offer=confirm_expired_offer)
    if problems:
        raise DraftInvalid(problems)


def _freeze(*, draft: EmailDraft, employee: Employee, company: CompanySettings) -> _Frozen:
    """The MIME message, its attachments read from the content store and the result stored there."""
    envelope = draft_envelope(draft=draft, employee=employee)
    parts = draft_parts(draft)
    logo = email_logo(company=company)
    text, html = body_text(parts), body_html(parts, language=draft.language, logo=logo)
    attachments = list(draft.attachments.all())
    built = message_build(
        sender_name=sender_name(employee=employee, company=company),
        sender_address=company.sending_address,
        reply_to=envelope.reply_to,
        to=envelope.to,
        cc=envelope.cc,
        subject=draft.subject,
        text=text,
        html=html,
        attachments=[
            AttachmentContent(filename=a.filename, content_type=a.content_type, content=blob_read(a.sha256))
            for a in attachments
        ],
        message_id_domain=company.sending_domain,
        logo=logo,
    )
    # Signed once, here: the stored bytes are the archive, the .eml and what every attempt sends.
    try:
        built = replace(built, raw=message_sign(built.raw, sender_address=company.sending_address))
    except SigningUnavailable as error:
        raise DraftInvalid({"draft": [str(error)]}) from error
    return _Frozen(
        built_from=_built_from(draft),
        envelope=envelope,
        text=text,
        html=html,
        attachments=attachments,
        built=built,
        raw_sha256=blob_put(built.raw),
    )


def _record(*, draft: EmailDraft, employee: Employee, frozen: _Frozen) -> OutgoingEmail:
    envelope, built = frozen.envelope, frozen.built
    email = OutgoingEmail.objects.create(
        order=draft.order,
        draft=draft,
        sender=employee,
        template_type=draft.template.type.code if draft.template else "",
        message_id=built.message_id,
        from_header=built.from_header,
        reply_to=built.reply_to,
        to=recipients_to_json(envelope.to),
        cc=recipients_to_json(envelope.cc),
        bcc=recipients_to_json(envelope.bcc),
        subject=draft.subject,
        text_body=frozen.text,
        html_body=frozen.html,
        raw_sha256=frozen.raw_sha256,
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
            work_report_id=a.work_report_id,
        )
        for position, a in enumerate(frozen.attachments)
    )
    draft.status = EmailDraft.Status.SENT
    draft.save(update_fields=["status", "updated_at"])
    outbox_enqueue(email=email)
    return email


def email_send(*, draft: EmailDraft, employee: Employee, confirm_expired_offer: bool = False) -> OutgoingEmail:
    """Freezes the draft into its MIME message and queues it.

    The message is built and stored first, outside any transaction; the transaction then
    locks the draft, checks it again, and writes the rows only if the draft is still what
    the message was built from. A draft edited meanwhile is built again, and after a few
    such races under the lock.

    A second Send of the same draft (double click, two tabs, a retried request) finds
    the draft already sent and raises DraftAlreadySent with the email of the first.
    `confirm_expired_offer` is the employee's yes to sending an expired offer as the
    template presents it.
    """
    company = company_settings_get()
    for _attempt in range(SEND_BUILD_ATTEMPTS):
        unlocked = _draft_for_send(draft.pk, lock=False)
        _ensure_sendable(
            draft=unlocked, employee=employee, company=company, confirm_expired_offer=confirm_expired_offer
        )
        frozen = _freeze(draft=unlocked, employee=employee, company=company)
        with transaction.atomic():
            locked = _draft_for_send(draft.pk, lock=True)
            _ensure_sendable(
                draft=locked, employee=employee, company=company, confirm_expired_offer=confirm_expired_offer
            )
            if _built_from(locked) == frozen.built_from:
                return _record(draft=locked, employee=employee, frozen=frozen)
    with transaction.atomic():
        locked = _draft_for_send(draft.pk, lock=True)
        _ensure_sendable(draft=locked, employee=employee, company=company, confirm_expired_offer=confirm_expired_offer)
        return _record(
            draft=locked, employee=employee, frozen=_freeze(draft=locked, employee=employee, company=company)
        )
