"""The delivery room's reads: each recipient's status for the pages and the API, the warnings."""

from collections.abc import Iterable, Iterator, Set

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from ..models import DeliveryReport, EmailRecipient, HardBouncedAddress, OutgoingEmail

Status = EmailRecipient.Status

# Before the relay answered (or for an email sent before statuses were kept per recipient),
# a recipient's status follows the email's own.
_FROM_EMAIL_STATUS = {
    OutgoingEmail.Status.SENT: Status.ACCEPTED,
    OutgoingEmail.Status.FAILED: Status.REFUSED,
}


def recipient_entries(email: OutgoingEmail, *, known: Set[str] = frozenset()) -> Iterator[tuple[str, str, str]]:
    """(kind, name, address) for the email's To, Cc and Bcc in that order, each address once as
    in the envelope (compared without case), leaving out the lowercase addresses in `known`."""
    seen = set(known)
    kinds = EmailRecipient.Kind
    for kind, entries in ((kinds.TO, email.to), (kinds.CC, email.cc), (kinds.BCC, email.bcc)):
        for entry in entries:
            address = str(entry.get("email", "")).strip()
            if address and address.lower() not in seen:
                seen.add(address.lower())
                yield kind, str(entry.get("name", "")), address


def _derived(email: OutgoingEmail) -> list[EmailRecipient]:
    status = _FROM_EMAIL_STATUS.get(OutgoingEmail.Status(email.status), Status.PENDING)
    at = email.sent_at or email.created_at
    diagnostic = email.failure_reason if status == Status.REFUSED else ""
    return [
        EmailRecipient(
            email=email,
            position=position,
            kind=kind,
            name=name,
            address=address,
            status=status,
            diagnostic=diagnostic,
            updated_at=at,
        )
        for position, (kind, name, address) in enumerate(recipient_entries(email))
    ]


def email_recipients(email: OutgoingEmail) -> list[EmailRecipient]:
    """Every recipient of the email with its status, in To, Cc, Bcc order (one query at most)."""
    cache = getattr(email, "_prefetched_objects_cache", {})
    rows = list(cache["recipients"]) if "recipients" in cache else list(email.recipients.all())
    return sorted(rows, key=lambda row: (row.position, row.pk or 0)) if rows else _derived(email)


def email_reports(email: OutgoingEmail) -> QuerySet[DeliveryReport]:
    return DeliveryReport.objects.filter(email=email).order_by("received_at", "id")


def hard_bounced_addresses(addresses: Iterable[str]) -> dict[str, HardBouncedAddress]:
    """The given addresses that bounced hard, by lowercase address."""
    wanted = {address.strip().lower() for address in addresses if address and address.strip()}
    if not wanted:
        return {}
    return {row.address: row for row in HardBouncedAddress.objects.filter(address__in=wanted)}


BOUNCED_DELIVERIES = (OutgoingEmail.Delivery.BOUNCED, OutgoingEmail.Delivery.PARTLY_BOUNCED)


def order_bounced_emails(*, order_id: int) -> QuerySet[OutgoingEmail]:
    """The order's emails that did not reach some recipient, newest first (the order's banner)."""
    return OutgoingEmail.objects.filter(order_id=order_id, delivery__in=BOUNCED_DELIVERIES).order_by("-created_at")


def hard_bounce_warnings(*, addresses: Iterable[str]) -> list[str]:
    """The composer's warning for each chosen address a server declared unusable."""
    found = hard_bounced_addresses(addresses)
    return [
        _("L'adresse %(address)s a été refusée définitivement le %(date)s (%(code)s) : vérifiez-la avant d'envoyer.")
        % {"address": row.address, "date": formats.date_format(row.bounced_at, "d.m.Y"), "code": row.status_code or "?"}
        for row in found.values()
    ]
