"""Who may email from an order, and who may read its sent emails.

The one policy: every page, the API and the delivery task ask here. Sending needs all
of: email on for the company, on for the employee, the Mail permission, and on the order
being its responsible or a dispatcher or coordinator. Reading the archive (and adding
internal notes) needs the Mail permission and that same relation to the order, but not
the on/off switches, so history stays readable after sending is switched off.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from organisatrice.orders.models import Order
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get


class MailRefused(PermissionDenied):
    """A refused email action; the message says why, in the user's language."""


def _relation_refusal(employee: Employee, order: Order) -> str | None:
    if order.responsible_id == employee.pk or employee.is_dispatcher_or_coordinator:
        return None
    return _("Vous n'êtes ni responsable de la commande %(number)s, ni répartiteur ni coordinateur.") % {
        "number": order.number
    }


def send_refusal(*, employee: Employee, order: Order, company: CompanySettings | None = None) -> str | None:
    """Why this employee may not email from this order, or None if they may."""
    company = company or company_settings_get()
    if not company.email_enabled:
        return _("L'envoi d'eMails est désactivé pour l'entreprise.")
    if not employee.user.is_active:
        return _("Ce compte est désactivé.")
    if not employee.email_enabled:
        return _("L'envoi d'eMails est désactivé pour votre compte.")
    if not employee.mail_permission:
        return _("Vous n'avez pas l'autorisation Mail (Backoffice › eMail).")
    return _relation_refusal(employee, order)


def archive_refusal(*, employee: Employee, order: Order) -> str | None:
    """Why this employee may not read this order's sent emails, or None if they may."""
    if not employee.user.is_active:
        return _("Ce compte est désactivé.")
    if not employee.mail_permission:
        return _("Vous n'avez pas l'autorisation Mail (Backoffice › eMail).")
    return _relation_refusal(employee, order)


def can_send(*, employee: Employee, order: Order, company: CompanySettings | None = None) -> bool:
    return send_refusal(employee=employee, order=order, company=company) is None


def can_read_archive(*, employee: Employee, order: Order) -> bool:
    return archive_refusal(employee=employee, order=order) is None


def ensure_can_send(*, employee: Employee, order: Order) -> None:
    reason = send_refusal(employee=employee, order=order)
    if reason is not None:
        raise MailRefused(reason)


def ensure_can_read_archive(*, employee: Employee, order: Order) -> None:
    reason = archive_refusal(employee=employee, order=order)
    if reason is not None:
        raise MailRefused(reason)
