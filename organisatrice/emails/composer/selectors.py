from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from organisatrice.clients.models import Contact
from organisatrice.orders.models import Order
from organisatrice.orders.selectors import RecipientCandidates, orders_visible_to
from organisatrice.people.models import Employee

from ..models import DraftAttachment, EmailDraft
from ..policy import ensure_can_send


def order_contacts(*, order: Order) -> QuerySet[Contact]:
    """Everyone the composer offers as a recipient: the client's and the buildings' contacts."""
    return Contact.objects.filter(Q(client_id=order.client_id) | Q(building__in=order.buildings.all()))


def main_contact(candidates: RecipientCandidates) -> Contact | None:
    """Whom an email from a document goes to: the client's main contact, else a building's,
    else the first contact with an address (the client's before the buildings')."""
    client = [c for c in candidates.client_contacts if c.email]
    buildings = [c for _building, group in candidates.building_contacts for c in group if c.email]
    marked = [c for c in (*client, *buildings) if c.is_main]
    return next(iter(marked or client or buildings), None)


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


def draft_attachment_get_for_user(*, employee: Employee, pk: int, attachment_id: int) -> DraftAttachment:
    """An attachment of the employee's own draft (email_draft_get_for_user); 404 otherwise.
    Its `draft` is that draft, with its order: taken from the attachments read with it."""
    draft = email_draft_get_for_user(employee=employee, pk=pk)
    attachment = next((a for a in draft.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    return attachment


def email_drafts_open(*, employee: Employee, order: Order) -> QuerySet[EmailDraft]:
    return EmailDraft.objects.filter(order=order, author=employee, status=EmailDraft.Status.EDITING)


def draft_total_size(*, draft: EmailDraft) -> int:
    # Through .all(), so that attachments prefetched with the draft are not read again.
    return sum(attachment.size for attachment in draft.attachments.all())
