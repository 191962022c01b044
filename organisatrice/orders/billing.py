"""What accounting bills from: orders whose work reports were reported to the client, and their CSV export."""

import csv
from typing import Any, Protocol

from django.db.models import Count, Q, QuerySet, Sum

from .models import Order, WorkReport, WorkReportLine

CSV_COLUMNS = [
    "commande",
    "titre",
    "client",
    "responsable",
    "rapport_date",
    "heures",
    "transmis_le",
    "email_message_id",
    "email_concerne",
    # Last, so that a spreadsheet reading the columns by position still finds the others.
    "email_remise",
]


# A cell a spreadsheet program would read as a formula (OWASP's list): written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Text cells that begin like a formula get a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


# An email's delivery when none of its To recipients got it, as the emails app writes it
# (OutgoingEmail.Delivery.BOUNCED); read by relation name, since orders never imports emails.
UNDELIVERED = "bounced"


def report_undelivered(report: WorkReport) -> bool:
    """The report's transmitted mark stands, but the email that carried it reached none of its To."""
    email = report.reported_email
    return email is not None and getattr(email, "delivery", "") == UNDELIVERED


def orders_with_undelivered_reports(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Each order with `undelivered_reports`: its reports whose email reached no To recipient."""
    return orders.annotate(
        undelivered_reports=Count(
            "work_reports", filter=Q(work_reports__reported_email__delivery=UNDELIVERED), distinct=True
        )
    )


def orders_ready_to_bill(queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders with a work report transmitted to the client that accounting has not invoiced yet.

    Invoicing happens in the accounting system, which marks the order `invoiced`: from then
    on the order is off the list, whatever else is reported on it.
    """
    orders = queryset if queryset is not None else Order.objects.all()
    return orders.filter(reported_at__isnull=False).exclude(status=Order.Status.INVOICED)


def ready_to_bill_csv_write(*, orders: QuerySet[Order], out: _Writable) -> None:
    """One line per reported work report of the given orders, for a spreadsheet program."""
    out.write("\ufeff")  # spreadsheet programs need the BOM to read UTF-8
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    hours = dict(
        WorkReportLine.objects.filter(report__order__in=orders, report__reported_at__isnull=False)
        .values_list("report_id")
        .annotate(total=Sum("hours"))
    )
    for order in orders.select_related("client", "responsible").prefetch_related("work_reports__reported_email"):
        for report in order.work_reports.all():
            if report.reported_at is None:
                continue
            email = report.reported_email
            row = [
                order.number,
                order.title,
                order.client.name,
                str(order.responsible or ""),
                report.date.isoformat(),
                hours.get(report.pk, 0),
                report.reported_at.isoformat(),
                email.message_id if email else "",
                email.subject if email else "",
                "non remis" if report_undelivered(report) else "",
            ]
            writer.writerow([csv_cell(value) for value in row])
