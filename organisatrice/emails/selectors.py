from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from organisatrice.clients.models import Contact
from organisatrice.orders.models import Order
from organisatrice.orders.selectors import orders_visible_to
from organisatrice.people.models import CompanySettings, Employee

from .models import EmailDraft, EmailTemplate, OutgoingEmail
from .policy import ensure_can_read_archive, ensure_can_send


def email_templates_active(*, type_code: str | None = None, language: str | None = None) -> QuerySet[EmailTemplate]:
    templates = EmailTemplate.objects.filter(is_active=True).select_related("type")
    if type_code:
        templates = templates.filter(type__code=type_code)
    if language:
        templates = templates.filter(language=language)
    return templates.order_by("type__position", "type__name", "language", "-is_default", "name")


def email_template_for(*, type_code: str, language: str) -> EmailTemplate | None:
    """The default template of a type in a language; French, then any, when missing."""
    templates = email_templates_active(type_code=type_code)
    for candidates in (templates.filter(language=language), templates.filter(language="fr"), templates):
        template = candidates.order_by("-is_default", "name").first()
        if template is not None:
            return template
    return None


def order_contacts(*, order: Order) -> QuerySet[Contact]:
    """Everyone the composer offers as a recipient: the client's and the buildings' contacts."""
    return Contact.objects.filter(Q(client_id=order.client_id) | Q(building__in=order.buildings.all()))


def email_draft_get_for_user(*, employee: Employee, pk: int) -> EmailDraft:
    """The employee's own draft, still being written, on an order they may email from.

    Someone else's draft is not found: drafts are personal until sent.
    """
    draft = get_object_or_404(
        EmailDraft.objects.select_related("order__client", "template", "author__user").prefetch_related("attachments"),
        pk=pk,
        author=employee,
        order__in=orders_visible_to(employee=employee),
    )
    ensure_can_send(employee=employee, order=draft.order)
    return draft


def email_drafts_open(*, employee: Employee, order: Order) -> QuerySet[EmailDraft]:
    return EmailDraft.objects.filter(order=order, author=employee, status=EmailDraft.Status.EDITING)


def draft_total_size(*, draft: EmailDraft) -> int:
    # Through .all(), so that attachments prefetched with the draft are not read again.
    return sum(attachment.size for attachment in draft.attachments.all())


def size_limit(*, company: CompanySettings) -> int:
    return company.max_attachments_size


def order_emails_for_user(*, employee: Employee, order: Order) -> QuerySet[OutgoingEmail]:
    ensure_can_read_archive(employee=employee, order=order)
    return (
        OutgoingEmail.objects.filter(order=order)
        .select_related("sender")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )


def outgoing_email_get_for_user(*, employee: Employee, pk: int) -> OutgoingEmail:
    email = get_object_or_404(
        OutgoingEmail.objects.select_related("order__client", "sender"),
        pk=pk,
        order__in=orders_visible_to(employee=employee),
    )
    ensure_can_read_archive(employee=employee, order=email.order)
    return email
