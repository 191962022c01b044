"""The delivery room's writes: each recipient's status, from the relay's answer and from reports.

Each function is one transaction. A report's bytes go to the content store before it
opens (content_store.py: storing twice is harmless), and a report seen twice (a reading
interrupted before it could move the message) changes nothing the second time.
"""

import datetime
from collections.abc import Mapping, Set

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.content_store import blob_put
from organisatrice.orders.models import OrderEvent
from organisatrice.orders.services import order_events_record

from ..models import DeliveryReport, EmailRecipient, HardBouncedAddress, OutgoingEmail
from .dsn import status_in
from .matching import Match, report_match
from .reports import Action, ParsedReport, RecipientReport, ReportKind
from .selectors import recipient_entries

Status = EmailRecipient.Status
Delivery = OutgoingEmail.Delivery
# A later report does not undo what a final one said: a delay after the bounce is old news.
_FINAL = {Status.BOUNCED, Status.DELIVERED, Status.AUTO_REPLIED}
_NEW_STATUS = {
    Action.FAILED: Status.BOUNCED,
    Action.DELAYED: Status.DEFERRED,
    Action.DELIVERED: Status.DELIVERED,
    Action.AUTO_REPLIED: Status.AUTO_REPLIED,
}
_KINDS = {
    ReportKind.BOUNCE: DeliveryReport.Kind.BOUNCE,
    ReportKind.DELIVERED: DeliveryReport.Kind.DELIVERED,
    ReportKind.AUTO_REPLY: DeliveryReport.Kind.AUTO_REPLY,
    ReportKind.FEEDBACK: DeliveryReport.Kind.FEEDBACK,
}


def _initial_status(email: OutgoingEmail) -> str:
    return Status.ACCEPTED if email.status == OutgoingEmail.Status.SENT else Status.PENDING


def _new_rows(email: OutgoingEmail, *, at: datetime.datetime, known: Set[str] = frozenset()) -> list[EmailRecipient]:
    """Rows for the email's To, Cc and Bcc (each address once, as in the envelope), but `known`."""
    return [
        EmailRecipient(
            email=email,
            position=len(known) + index,
            kind=kind,
            name=name[:200],
            address=address[:254],
            status=_initial_status(email),
            updated_at=at,
        )
        for index, (kind, name, address) in enumerate(recipient_entries(email, known=known), start=1)
    ]


def _rows_ensure(email: OutgoingEmail, *, at: datetime.datetime) -> dict[str, EmailRecipient]:
    """The email's recipient rows by lowercase address, made from its To, Cc and Bcc if missing.

    Called with the email's row locked, so no other transaction makes them meanwhile.
    """
    rows = {row.address.lower(): row for row in EmailRecipient.objects.filter(email=email)}
    missing = _new_rows(email, at=at, known=set(rows))
    if missing:
        EmailRecipient.objects.bulk_create(missing)
        rows.update((row.address.lower(), row) for row in missing)
    return rows


def recipients_record_sent(*, email_id: int, refused: Mapping[str, str], at: datetime.datetime | None = None) -> None:
    """The relay accepted the email: its recipients accepted, or refused at RCPT with the reply."""
    at = at or timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().get(pk=email_id)
        rows = _rows_ensure(email, at=at)
        refused_by_address = {address.lower(): reply for address, reply in refused.items()}
        for address, row in rows.items():
            reply = refused_by_address.get(address)
            if reply is not None:
                row.status, row.status_code, row.diagnostic = Status.REFUSED, status_in(reply), reply[:1000]
            elif row.status == Status.PENDING:
                row.status = Status.ACCEPTED
            else:
                continue
            row.updated_at = at
            row.save(update_fields=["status", "status_code", "diagnostic", "updated_at"])
        _summary_store(email, list(rows.values()))


def delivery_summary(rows: list[EmailRecipient]) -> str:
    """The email's delivery in one word; every To recipient refused or bounced is "non remis"."""
    failed = {Status.BOUNCED, Status.REFUSED}
    main = [row for row in rows if row.kind == EmailRecipient.Kind.TO] or rows
    if main and all(row.status in failed for row in main):
        return Delivery.BOUNCED
    if any(row.status in failed for row in rows):
        return Delivery.PARTLY_BOUNCED
    if any(row.status == Status.DEFERRED for row in rows):
        return Delivery.DEFERRED
    if rows and all(row.status in (Status.DELIVERED, Status.AUTO_REPLIED, Status.REFUSED) for row in rows):
        return Delivery.DELIVERED
    return Delivery.UNKNOWN


def _summary_store(email: OutgoingEmail, rows: list[EmailRecipient]) -> None:
    summary = delivery_summary(rows)
    if summary != email.delivery:
        OutgoingEmail.objects.filter(pk=email.pk).update(delivery=summary)
        email.delivery = summary


def _apply(row: EmailRecipient, line: RecipientReport, report: DeliveryReport, at: datetime.datetime) -> bool:
    """Moves one recipient by a report's line; True when it moved."""
    status = _NEW_STATUS[line.action]
    if row.status in _FINAL and status not in (Status.BOUNCED, Status.DELIVERED):
        return False
    if status == Status.AUTO_REPLIED and row.status == Status.BOUNCED:
        return False
    row.status = status
    row.bounce = (
        (EmailRecipient.Bounce.HARD if line.hard else EmailRecipient.Bounce.SOFT) if status == Status.BOUNCED else ""
    )
    row.status_code = line.status[:16]
    row.diagnostic = line.diagnostic[:1000]
    row.report, row.updated_at = report, at
    row.save(update_fields=["status", "bounce", "status_code", "diagnostic", "report", "updated_at"])
    return True


def bounce_text(row: EmailRecipient) -> str:
    """The timeline's line for a recipient that did not get the email."""
    kind = _("définitif") if row.bounce == EmailRecipient.Bounce.HARD else _("temporaire")
    return _("Non remis à %(address)s (%(kind)s, %(code)s) : %(diagnostic)s") % {
        "address": row.address,
        "kind": kind,
        "code": row.status_code or "?",
        "diagnostic": row.diagnostic[:300],
    }


def delivery_report_record(
    *, raw: bytes, parsed: ParsedReport, match: Match | None = None, at: datetime.datetime | None = None
) -> DeliveryReport | None:
    """Keeps a recognised report, ties it to its email and moves that email's recipients.

    None when the report is about no email of ours: nothing is kept.
    """
    at = at or timezone.now()
    match = match or report_match(parsed)
    if match.email_id is None:
        # Not about an email of ours (the mailbox may be a person's): not ours to keep.
        return None
    sha256 = blob_put(raw)
    with transaction.atomic():
        # Locked first: two readings of the same report (two workers) record it one after the other.
        email = OutgoingEmail.objects.select_for_update().get(pk=match.email_id)
        existing = DeliveryReport.objects.filter(raw_sha256=sha256).first()
        if existing is not None:
            return existing
        report = DeliveryReport.objects.create(
            raw_sha256=sha256,
            raw_size=len(raw),
            kind=_KINDS[parsed.kind],
            email_id=match.email_id,
            matched_by=match.matched_by,
            from_header=parsed.sender[:400],
            subject=parsed.subject[:300],
        )
        if parsed.kind == ReportKind.FEEDBACK:
            return report
        rows = _rows_ensure(email, at=at)
        bounced: list[EmailRecipient] = []
        for line in parsed.recipients:
            row = rows.get(line.email.lower()) or rows.get(line.original.lower())
            if row is not None and _apply(row, line, report, at) and row.status == Status.BOUNCED:
                bounced.append(row)
        for row in bounced:
            if row.bounce == EmailRecipient.Bounce.HARD:
                HardBouncedAddress.objects.update_or_create(
                    address=row.address.lower(),
                    defaults={
                        "bounced_at": at,
                        "status_code": row.status_code,
                        "diagnostic": row.diagnostic,
                        "email": email,
                    },
                )
        order_events_record(
            OrderEvent(
                order_id=email.order_id, email_id=email.pk, kind=OrderEvent.Kind.EMAIL_FAILED, text=bounce_text(row)
            )
            for row in bounced
        )
        _summary_store(email, list(rows.values()))
    return report
