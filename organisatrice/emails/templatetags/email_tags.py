"""The email module's parts of the order page: the mail action, the sent emails, and the
timeline, whose email events only those who may read the archive see.

The orders app knows nothing of emails: its page loads these tags."""

from typing import Any

from django import template

from organisatrice.orders.models import Order
from organisatrice.orders.selectors import order_timeline as order_timeline_events
from organisatrice.people.selectors import company_settings_get

from .. import policy
from ..archive.selectors import latest_email_statuses, order_page_emails
from ..composer.selectors import email_drafts_open
from ..models import OutgoingEmail

register = template.Library()


@register.inclusion_tag("emails/_order_mail_action.html", takes_context=True)
def order_mail_action(context: dict[str, Any], order: Order) -> dict[str, Any]:
    employee = context["request"].employee
    allowed = policy.can_send(employee=employee, order=order, company=company_settings_get())
    return {
        "order": order,
        "can_send": allowed,
        "drafts": email_drafts_open(employee=employee, order=order) if allowed else [],
    }


@register.inclusion_tag("emails/_order_email_flag.html", takes_context=True)
def order_email_flag(context: dict[str, Any], order: Order) -> dict[str, Any]:
    """A warning beside the order's status when one of its emails could not be delivered."""
    employee = context["request"].employee
    if not policy.can_read_archive(employee=employee, order=order):
        return {"failed": 0}
    return {"failed": order.emails.filter(status=OutgoingEmail.Status.FAILED).count()}


# Where the order list keeps the statuses of its page's emails while it renders.
_LIST_EMAIL_STATUSES = "order_list_email_statuses"


@register.inclusion_tag("emails/_order_list_email_status.html", takes_context=True)
def order_list_email_status(context: Any, order: Order) -> dict[str, Any]:
    """The order list's email column: the latest email's status, to those who may read the archive.

    The first row reads the statuses of every order on the page in one query.
    """
    statuses = context.render_context.get(_LIST_EMAIL_STATUSES)
    if statuses is None:
        employee = context["request"].employee
        page = context.get("orders") or [order]
        readable = [o.pk for o in page if policy.can_read_archive(employee=employee, order=o)]
        statuses = context.render_context[_LIST_EMAIL_STATUSES] = latest_email_statuses(order_ids=readable)
    status = statuses.get(order.pk)
    return {"status": status, "label": OutgoingEmail.Status(status).label if status else ""}


@register.inclusion_tag("emails/_order_emails.html", takes_context=True)
def order_sent_emails(context: dict[str, Any], order: Order) -> dict[str, Any]:
    return order_page_emails(employee=context["request"].employee, order=order)


@register.inclusion_tag("orders/_timeline.html", takes_context=True)
def order_timeline(context: dict[str, Any], order: Order) -> dict[str, Any]:
    with_emails = policy.can_read_archive(employee=context["request"].employee, order=order)
    # Those who may not read the archive see no email event, and no link to an email or its subject.
    return {"timeline": order_timeline_events(order=order, with_emails=with_emails), "with_emails": with_emails}


# Where the order page keeps whether the employee may send from it while it renders.
_DOCUMENT_SEND_ALLOWED = "document_send_allowed"


@register.inclusion_tag("emails/_document_send_action.html", takes_context=True)
def document_send_action(context: Any, order: Order, kind: str, key: Any) -> dict[str, Any]:
    """A work report's, an offer's or the photos' "send to the client": one click to a draft
    that attaches that document, ready to send. Shown only to those who may send."""
    allowed = context.render_context.get(_DOCUMENT_SEND_ALLOWED)
    if allowed is None:
        employee = context["request"].employee
        allowed = policy.can_send(employee=employee, order=order, company=company_settings_get())
        context.render_context[_DOCUMENT_SEND_ALLOWED] = allowed
    return {"allowed": allowed, "order": order, "value": f"{kind}:{key}", "kind": kind}
