from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from organisatrice.orders.models import Order
from organisatrice.orders.selectors import orders_visible_to
from organisatrice.people.models import Employee

from ..models import OutgoingEmail
from ..policy import can_read_archive, ensure_can_read_archive

# While an email is in one of these, the pages that show it ask for it again (htmx).
STATUSES_STILL_MOVING = (OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING, OutgoingEmail.Status.RETRY_WAIT)
ORDER_PAGE_EMAILS = 20


def order_page_emails(*, employee: Employee, order: Order, limit: int = ORDER_PAGE_EMAILS) -> dict[str, Any]:
    """The order page's list of sent emails (its latest `limit`), polled while one still moves;
    nothing for those who may not read the archive."""
    if not can_read_archive(employee=employee, order=order):
        return {"visible": False}
    emails = order_emails_for_user(employee=employee, order=order)
    shown = list(emails[: limit + 1])
    return {
        "visible": True,
        "order": order,
        "emails": shown[:limit],
        "more": len(shown) > limit,
        "in_progress": any(e.status in STATUSES_STILL_MOVING for e in shown[:limit]),
    }


def order_emails_for_user(*, employee: Employee, order: Order) -> QuerySet[OutgoingEmail]:
    ensure_can_read_archive(employee=employee, order=order)
    return (
        OutgoingEmail.objects.filter(order=order)
        .select_related("sender")
        .prefetch_related("attachments", "recipients")
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


def latest_email_statuses(*, order_ids: list[int]) -> dict[int, str]:
    """The status of each order's latest email, for the orders that have one; one query."""
    emails = OutgoingEmail.objects.filter(order=OuterRef("pk")).order_by("-created_at", "-id")
    latest = emails.values("status")[:1]
    rows = (
        Order.objects.filter(pk__in=order_ids).annotate(email_status=Subquery(latest)).values_list("pk", "email_status")
    )
    return {pk: status for pk, status in rows if status}
