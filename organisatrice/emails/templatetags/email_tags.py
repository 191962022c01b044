"""The email module's parts of the order page: the mail action and the sent emails."""

from typing import Any

from django import template

from organisatrice.orders.models import Order
from organisatrice.people.selectors import company_settings_get

from .. import policy, selectors
from ..models import OutgoingEmail

register = template.Library()


@register.inclusion_tag("emails/_order_mail_action.html", takes_context=True)
def order_mail_action(context: dict[str, Any], order: Order) -> dict[str, Any]:
    employee = context["request"].employee
    allowed = policy.can_send(employee=employee, order=order, company=company_settings_get())
    return {
        "order": order,
        "can_send": allowed,
        "drafts": selectors.email_drafts_open(employee=employee, order=order) if allowed else [],
    }


@register.inclusion_tag("emails/_order_email_flag.html", takes_context=True)
def order_email_flag(context: dict[str, Any], order: Order) -> dict[str, Any]:
    """A warning beside the order's status when one of its emails could not be delivered."""
    employee = context["request"].employee
    if not policy.can_read_archive(employee=employee, order=order):
        return {"failed": 0}
    return {"failed": order.emails.filter(status=OutgoingEmail.Status.FAILED).count()}


@register.inclusion_tag("emails/_order_emails.html", takes_context=True)
def order_sent_emails(context: dict[str, Any], order: Order, limit: int = 20) -> dict[str, Any]:
    employee = context["request"].employee
    if not policy.can_read_archive(employee=employee, order=order):
        return {"visible": False}
    emails = selectors.order_emails_for_user(employee=employee, order=order)
    return {"visible": True, "order": order, "emails": emails[:limit], "more": emails.count() > limit}
