"""What came back after sending, on the pages: each recipient's badge, the order's banner and flag.

The orders app knows nothing of emails: its pages load these tags.
"""

from typing import Any

from django import template
from django.db.models import Exists, OuterRef

from organisatrice.orders.models import Order

from .. import policy
from ..delivery.reasons import recipient_reason
from ..delivery.selectors import BOUNCED_DELIVERIES, email_recipients, email_reports, order_bounced_emails
from ..models import EmailRecipient, OutgoingEmail

register = template.Library()
_NOT_DELIVERED = (EmailRecipient.Status.BOUNCED, EmailRecipient.Status.REFUSED)


@register.filter
def delivery_reason(row: EmailRecipient) -> str:
    return str(recipient_reason(row))


@register.simple_tag
def recipients_of(email: OutgoingEmail) -> list[EmailRecipient]:
    return email_recipients(email)


@register.inclusion_tag("emails/_delivery_recipients.html")
def email_delivery(email: OutgoingEmail) -> dict[str, Any]:
    """The email page's card: each recipient's status, and the reports that came back."""
    return {"email": email, "recipients": email_recipients(email), "reports": email_reports(email)}


@register.inclusion_tag("emails/_order_delivery_banner.html", takes_context=True)
def order_delivery_banner(context: dict[str, Any], order: Order) -> dict[str, Any]:
    """The order's banner when an email of it did not reach some recipient."""
    if not policy.can_read_archive(employee=context["request"].employee, order=order):
        return {"emails": []}
    emails = list(order_bounced_emails(order_id=order.pk).prefetch_related("recipients")[:5])
    return {"emails": [(email, [r for r in email_recipients(email) if r.status in _NOT_DELIVERED]) for email in emails]}


# Where the order list keeps which of its page's orders have an email not delivered.
_LIST_BOUNCED = "order_list_bounced"


@register.inclusion_tag("emails/_order_list_delivery_flag.html", takes_context=True)
def order_list_delivery_flag(context: Any, order: Order) -> dict[str, Any]:
    """The order list's flag, read for every order of the page in one query by its first row."""
    bounced = context.render_context.get(_LIST_BOUNCED)
    if bounced is None:
        employee = context["request"].employee
        page = context.get("orders") or [order]
        readable = [o.pk for o in page if policy.can_read_archive(employee=employee, order=o)]
        undelivered = OutgoingEmail.objects.filter(order=OuterRef("pk"), delivery__in=BOUNCED_DELIVERIES)
        bounced = set(Order.objects.filter(pk__in=readable).filter(Exists(undelivered)).values_list("pk", flat=True))
        context.render_context[_LIST_BOUNCED] = bounced
    return {"bounced": order.pk in bounced}
