"""Pre-filling a draft from a template: which document of the order it speaks of, and its parts.

A typed template (work report, offer, photo documentation) is about one document: its
attachment and its placeholders (report date, offer number, photo count) come from the
same chosen records, the `selection` ({"work_report": 7}, {"offer": 3}, {"photos": [ids]}).
A template whose document the order lacks is not offered (see template_unavailable).
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from organisatrice.clients.models import Contact
from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import DocumentError, SelectedRecords, selected_records
from organisatrice.orders.models import Offer, Order
from organisatrice.orders.naming import offer_expired
from organisatrice.people.models import CompanySettings, Employee

from ..message.recipients import recipients_from_json
from ..models import DraftAttachment, EmailDraft, EmailTemplate
from ..templating.placeholders import placeholder_values
from ..templating.rendering import TemplateRenderError, template_part_render
from ..templating.selectors import email_templates_active
from .errors import DraftInvalid
from .selectors import order_contacts

TEXT_PARTS = ("greeting", "motivation", "body", "closing")
TEMPLATE_PARTS = ("subject", *TEXT_PARTS)
# The attachment kinds that satisfy a template's document: photos may go as JPEG files too.
SATISFYING_KINDS = {
    DocumentKind.WORK_REPORT: {DocumentKind.WORK_REPORT},
    DocumentKind.OFFER: {DocumentKind.OFFER},
    DocumentKind.PHOTO_DOCUMENTATION: {DocumentKind.PHOTO_DOCUMENTATION, DocumentKind.PHOTOS},
    DocumentKind.PHOTOS: {DocumentKind.PHOTO_DOCUMENTATION, DocumentKind.PHOTOS},
}


@dataclass(frozen=True)
class OrderHoldings:
    """How many documents of each kind the order has: what decides which templates are offered."""

    work_reports: int
    offers: int
    photos: int

    @classmethod
    def of(cls, order: Order) -> "OrderHoldings":
        return cls(work_reports=order.work_reports.count(), offers=order.offers.count(), photos=order.photos.count())

    def has(self, kind: str) -> bool:
        if kind == DocumentKind.WORK_REPORT:
            return self.work_reports > 0
        if kind == DocumentKind.OFFER:
            return self.offers > 0
        if kind in (DocumentKind.PHOTO_DOCUMENTATION, DocumentKind.PHOTOS):
            return self.photos > 0
        return True


def _lacking(kind: str) -> str:
    return {
        DocumentKind.WORK_REPORT: _("la commande n'a pas de rapport de travail"),
        DocumentKind.OFFER: _("la commande n'a pas d'offre"),
    }.get(DocumentKind(kind), _("la commande n'a pas de photo"))


def template_unavailable(*, template: EmailTemplate, holdings: OrderHoldings) -> str:
    """Why this template cannot be used on the order, or "" if it can."""
    kind = template.attachment_kind
    return _lacking(kind) if kind and not holdings.has(kind) else ""


def ensure_template_usable(*, template: EmailTemplate, default: dict) -> None:
    """Refuses a document template when the order has none of its documents: `default`, the
    selection the template would take by default, is empty."""
    if template.attachment_kind and not default:
        raise DraftInvalid(
            {
                "template": [
                    _("Le gabarit « %(name)s » ne peut pas servir : %(reason)s.")
                    % {"name": template.name, "reason": _lacking(template.attachment_kind)}
                ]
            }
        )


def template_for_document(*, kind: str, language: str) -> EmailTemplate | None:
    """The template that sends a document of this kind, in this language; French, then any, when missing."""
    kinds = [kind, DocumentKind.PHOTO_DOCUMENTATION] if kind == DocumentKind.PHOTOS else [kind]
    templates = email_templates_active().filter(attachment_kind__in=kinds)
    for candidates in (templates.filter(language=language), templates.filter(language="fr"), templates):
        template = candidates.order_by("-is_default", "type__position", "name").first()
        if template is not None:
            return template
    return None


def default_selection(*, order: Order, kind: str) -> dict:
    if kind == DocumentKind.WORK_REPORT:
        # The latest report not yet sent to the client; else the latest sent. Nulls placed
        # explicitly: PostgreSQL puts them last where SQLite puts them first.
        report = order.work_reports.order_by(F("reported_at").desc(nulls_first=True), "-date", "-id").first()
        return {"work_report": report.pk} if report else {}
    if kind == DocumentKind.OFFER:
        offer = order.offers.order_by("-date", "-id").first()
        return {"offer": offer.pk} if offer else {}
    if kind == DocumentKind.PHOTO_DOCUMENTATION:
        photos = list(order.photos.order_by("taken_at", "id").values_list("pk", flat=True))
        return {"photos": photos} if photos else {}
    return {}


def template_selection(draft: EmailDraft) -> dict:
    """The selection of the draft's own document: its template's kind, first of those attached."""
    kind = draft.template.attachment_kind if draft.template else ""
    if not kind:
        return {}
    for attachment in draft.attachments.all():
        if attachment.source != DraftAttachment.Source.UPLOAD and attachment.document_kind == kind:
            return attachment.selection
    return {}


def template_records(*, order: Order, template: EmailTemplate, selection: dict) -> SelectedRecords | None:
    """The records of the template's document, read once for its placeholders and its file."""
    if not (template.attachment_kind and selection):
        return None
    try:
        return selected_records(order=order, kind=template.attachment_kind, selection=selection)
    except DocumentError as error:
        raise DraftInvalid({"attachments": [str(error)]}) from error


def parts_render(
    *,
    template: EmailTemplate,
    order: Order,
    employee: Employee,
    company: CompanySettings,
    contact: Contact | None,
    records: SelectedRecords | None,
) -> dict[str, str]:
    """Subject and text parts of the template, filled from the order and the selected document."""
    return parts_render_for_each(
        template=template, order=order, employee=employee, company=company, contacts=[contact], records=records
    )[0]


def parts_render_for_each(
    *,
    template: EmailTemplate,
    order: Order,
    employee: Employee,
    company: CompanySettings,
    contacts: list[Contact | None],
    records: SelectedRecords | None,
) -> list[dict[str, str]]:
    """The parts as the template writes them for each of these recipients."""
    with override(template.language):
        document_name = str(DocumentKind(template.attachment_kind).label) if template.attachment_kind else ""
    renderings = []
    for contact in contacts:
        values = placeholder_values(
            order=order,
            employee=employee,
            company=company,
            language=template.language,
            contact=contact,
            work_report=records.work_report if records else None,
            offer=records.offer if records else None,
            photo_count=len(records.photos) if records else 0,
            document_name=document_name,
        )
        renderings.append(_render(template, values))
    return renderings


def _render(template: EmailTemplate, values: dict[str, str]) -> dict[str, str]:
    rendered = {}
    for part in TEMPLATE_PARTS:
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


def parts_untouched(*, draft: EmailDraft, rendered_before: list[dict[str, str]]) -> set[str]:
    """The parts the employee left as the template wrote them (for one of the recipients it
    may have been written for): those another rendering may replace."""
    return {
        part
        for part in TEMPLATE_PARTS
        if any(getattr(draft, part).strip() == rendered.get(part, "").strip() for rendered in rendered_before)
    }


def expired_offer(*, draft: EmailDraft, today: datetime.date | None = None) -> Offer | None:
    """The expired offer the draft attaches, if any."""
    offer_ids: list[int] = [
        a.selection["offer"]
        for a in draft.attachments.all()
        if a.document_kind == DocumentKind.OFFER and isinstance(a.selection, dict) and a.selection.get("offer")
    ]
    if not offer_ids:
        return None  # asked at every autosave, for drafts that mostly attach no offer
    today = today or timezone.localdate()
    for offer in Offer.objects.filter(order_id=draft.order_id, pk__in=offer_ids):
        if offer_expired(offer, today=today):
            return offer
    return None


def primary_contact(*, draft: EmailDraft) -> Contact | None:
    """The contact behind the first To address, whose salutation and language the template uses."""
    first = next(iter(recipients_from_json(draft.to)), None)
    if first is None:
        return None
    return order_contacts(order=draft.order).filter(email__iexact=first.email).order_by("pk").first()


def offer_default_sentence_kept(*, draft: EmailDraft, offer: Offer, company: CompanySettings) -> bool:
    """Whether the motivation still holds the offer template's own sentence about this offer
    (its amount and validity), as the template wrote it."""
    if draft.template is None or draft.template.attachment_kind != DocumentKind.OFFER:
        return False
    sentence = parts_render(
        template=draft.template,
        order=draft.order,
        employee=draft.author,
        company=company,
        contact=primary_contact(draft=draft),
        records=SelectedRecords(kind=DocumentKind.OFFER, offer=offer),
    )["motivation"]
    return bool(sentence) and " ".join(sentence.split()) in " ".join(draft.motivation.split())
