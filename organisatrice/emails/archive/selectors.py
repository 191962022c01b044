from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from organisatrice.orders.models import Order
from organisatrice.orders.selectors import orders_visible_to
from organisatrice.people.models import Employee

from ..models import OutgoingEmail
from ..policy import ensure_can_read_archive


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
