"""Writes of the orders app: the order timeline, and work reports marked as reported to the client.

Other apps (the email outbox, the archive) change an order's records only through these.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q

from .models import Order, OrderEvent, WorkReport
from .naming import work_reports_named
from .search import order_search_texts
from .selectors import work_reports_with_hours


def order_number_next(*, year: int) -> str:
    """The next free human number of a year, such as 2026-00042."""
    prefix = f"{year}-"
    last = Order.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def order_event_record(
    *, order_id: int, kind: str, actor_id: int | None = None, email_id: int | None = None, text: str = ""
) -> OrderEvent:
    """One line of an order's timeline: the timeline's only writer."""
    return OrderEvent.objects.create(order_id=order_id, kind=kind, actor_id=actor_id, email_id=email_id, text=text)


def order_events_record(events: Iterable[OrderEvent]) -> list[OrderEvent]:
    """Several timeline lines in one statement, for a batch of emails recorded together."""
    return OrderEvent.objects.bulk_create(list(events))


def work_reports_mark_reported(*, report_ids: Iterable[int], email_id: int, sent_at: datetime.datetime) -> list[int]:
    """Marks work reports, and their orders, as reported to the client by an email.

    The first email to carry a report is the one on record: the conditional update keeps
    it so even when two emails with the same report are accepted at the same moment.
    Returns the reports newly marked.
    """
    newly_reported = [
        report_id
        for report_id in report_ids
        if WorkReport.objects.filter(pk=report_id, reported_at__isnull=True).update(
            reported_at=sent_at, reported_email_id=email_id
        )
    ]
    for order in Order.objects.filter(work_reports__in=newly_reported).distinct():
        # The order carries the date of its latest newly reported work.
        Order.objects.filter(pk=order.pk).filter(Q(reported_at__isnull=True) | Q(reported_at__lt=sent_at)).update(
            reported_at=sent_at
        )
        # Its timeline names each report as the order page does: two of a day read apart.
        for named in work_reports_named(order=order, reports=work_reports_with_hours(order=order)):
            if named.report.pk in newly_reported:
                order_event_record(
                    order_id=order.pk, kind=OrderEvent.Kind.REPORTED, email_id=email_id, text=named.title
                )
    return newly_reported


SEARCH_REFRESH_BATCH = 500


def order_search_text_refresh(*, order_ids: Iterable[int]) -> int:
    """Writes the normalised words the SQLite search reads (see orders/search.py); returns how many changed."""
    ids = sorted(set(order_ids))
    changed = 0
    for start in range(0, len(ids), SEARCH_REFRESH_BATCH):
        batch = ids[start : start + SEARCH_REFRESH_BATCH]
        texts = order_search_texts(order_ids=batch)
        stale = [
            Order(pk=pk, search_text=texts[pk])
            for pk, current in Order.objects.filter(pk__in=batch).values_list("pk", "search_text")
            if texts.get(pk, current) != current
        ]
        Order.objects.bulk_update(stale, ["search_text"])
        changed += len(stale)
    return changed
