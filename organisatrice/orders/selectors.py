import re
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from organisatrice.clients.models import Building, Contact
from organisatrice.people.models import Employee

from .models import Offer, Order, OrderEvent, Photo, WorkReport
from .search import search_normalise


def orders_visible_to(*, employee: Employee | None) -> QuerySet[Order]:
    """Every order of the company is visible to each of its employees, to nobody else."""
    if employee is None or not employee.user.is_active:
        return Order.objects.none()
    return Order.objects.all()


# What an order number looks like while someone types it: 2026-0004, 2026-00042.
ORDER_NUMBER_START = re.compile(r"\d{4}-\d+")


def order_numbers_matching(*, orders: QuerySet[Order], term: str) -> QuerySet:
    """The numbers of those `orders` where `term` appears, accents and case aside.

    Looked for in the number, the title, the client, the buildings, the responsible and the
    contacts of the client and of the buildings, all copied into `search_text`
    (orders/search.py). Numbers rather than ids: they are unique as well, and the list is
    sorted by them, so the matches can be sorted and paged without reading the orders again.
    """
    orders = orders.order_by()  # a part of a UNION cannot have its own ORDER BY
    if ORDER_NUMBER_START.fullmatch(term):
        # Only an order number looks like this: the other words are not searched.
        return orders.filter(number__startswith=term).values("number")
    return orders.filter(search_text__contains=search_normalise(term)).values("number")


def _listed(*, employee: Employee | None, mine: bool) -> QuerySet[Order]:
    visible = orders_visible_to(employee=employee)
    # "My orders": those the employee is responsible for, read from the (responsible, -number) index.
    return visible.filter(responsible=employee) if mine and employee is not None else visible


def order_list_for_user(*, employee: Employee | None, search: str = "", mine: bool = False) -> QuerySet[Order]:
    """The orders the employee sees (only theirs if `mine`), newest first; each word of `search` must match."""
    visible = _listed(employee=employee, mine=mine)
    orders = visible
    for term in search.split():
        orders = orders.filter(number__in=order_numbers_matching(orders=visible, term=term))
    return orders.select_related("client", "responsible").order_by("-number")


class OrderListPage(NamedTuple):
    page: Page[str]
    orders: list[Order]


class _CountedPaginator(Paginator):
    """A paginator told its count, which came with the page's rows."""

    def __init__(self, *, per_page: int, count: int) -> None:
        super().__init__([], per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


MAX_PAGE_NUMBER = 10**9


def _work_reports_counted(reports: QuerySet[WorkReport]) -> Coalesce:
    """How many of `reports` each order has: a subquery per listed order that reads the
    order's reports by their index, where a join would read every report to group them."""
    counted = reports.filter(order=OuterRef("pk")).order_by().values("order").annotate(count=Count("pk"))
    return Coalesce(Subquery(counted.values("count")[:1]), 0)


def order_list_page(
    *,
    employee: Employee | None,
    search: str = "",
    page_number: str | int | None = None,
    per_page: int,
    mine: bool = False,
) -> OrderListPage:
    """One page of the order list: the paginator's page of order numbers, and those orders.

    The page's numbers are found first, then only those orders are read with their client
    and responsible: with OFFSET, joining every skipped order would make the last pages slow.
    Each order comes with `work_reports_count` and `work_reports_unreported`, for the
    list's report column.
    """
    visible = _listed(employee=employee, mine=mine)
    terms = search.split()
    if terms and not visible.query.is_empty():
        page = _search_page(orders=visible, terms=terms, page_number=page_number, per_page=per_page)
    else:
        # Counting the orders is cheap without a WHERE, and a page is a walk down the index.
        numbers = order_list_for_user(employee=employee, mine=mine).values_list("number", flat=True)
        page = Paginator(numbers, per_page).get_page(page_number)
        page = Page(list(page.object_list), page.number, page.paginator)
    orders = (
        visible.select_related("client", "responsible")
        .annotate(
            work_reports_count=_work_reports_counted(WorkReport.objects.all()),
            work_reports_unreported=_work_reports_counted(WorkReport.objects.filter(reported_at__isnull=True)),
        )
        .in_bulk(list(page.object_list), field_name="number")
    )
    return OrderListPage(page=page, orders=[orders[number] for number in page.object_list])


def _search_page(
    *, orders: QuerySet[Order], terms: list[str], page_number: str | int | None, per_page: int
) -> Page[str]:
    """A page of the numbers of the orders that match every term, and how many match.

    One statement does both: a window function counts the matches in the same pass that
    sorts them, where a paginator would search everything twice (COUNT, then the page).
    The ORM cannot put a window over a UNION, hence the SQL around the compiled querysets.
    """
    connection = connections[orders.db]
    column = connection.ops.quote_name("number")
    (sql, first_params), *others = (
        order_numbers_matching(orders=orders, term=term).query.sql_with_params() for term in terms
    )
    # Only ORM-compiled SQL and quoted names are put together below; every value the user
    # typed travels as a parameter.
    params = list(first_params)
    conditions = []
    for other_sql, other_params in others:
        conditions.append(f"matches.{column} IN ({other_sql})")
        params.extend(other_params)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    matches = f"SELECT matches.{column} FROM ({sql}) matches{where}"  # noqa: S608

    def read(number: int) -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column}, COUNT(*) OVER () FROM ({matches}) page "  # noqa: S608
                f"ORDER BY {column} DESC LIMIT %s OFFSET %s",
                [*params, per_page, (number - 1) * per_page],
            )
            return cursor.fetchall()

    try:
        # Capped: a page number beyond any real list must not overflow the OFFSET.
        requested = min(max(1, int(page_number or 1)), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        requested = 1
    rows = read(requested)
    if rows:
        total = rows[0][1]
    elif requested == 1:
        total = 0
    else:
        # Nothing on a later page: it is past the end, so count to find the last page.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({matches}) counted", params)  # noqa: S608
            total = cursor.fetchone()[0]
    paginator = _CountedPaginator(per_page=per_page, count=total)
    try:
        number = paginator.validate_number(requested)
    except EmptyPage:
        number = paginator.num_pages
        rows = read(number)
    return Page([row[0] for row in rows], number, paginator)


def order_get_for_user(*, employee: Employee | None, pk: int) -> Order:
    """The order if the employee may see it; 404 otherwise."""
    return get_object_or_404(
        orders_visible_to(employee=employee)
        .select_related("client", "responsible")
        .prefetch_related(
            Prefetch("buildings", queryset=Building.objects.prefetch_related("contacts")),
            Prefetch("client__contacts", queryset=Contact.objects.all()),
        ),
        pk=pk,
    )


def order_work_reports(*, order: Order) -> QuerySet[WorkReport]:
    return order.work_reports.prefetch_related("lines__employee", "materials", "employees")


def work_reports_with_hours(*, order: Order) -> QuerySet[WorkReport]:
    """The order's reports with their employees and the sum of their hours, not their lines:
    enough to name them (orders.naming)."""
    return order.work_reports.annotate(
        lines_hours=Coalesce(Sum("lines__hours"), Value(Decimal("0")), output_field=DecimalField())
    ).prefetch_related("employees")


def order_photos(*, order: Order) -> QuerySet[Photo]:
    return order.photos.select_related("taken_by", "building")


def order_offers(*, order: Order) -> QuerySet[Offer]:
    return order.offers.prefetch_related("lines")


EMAIL_EVENT_KINDS = [
    OrderEvent.Kind.EMAIL_QUEUED,
    OrderEvent.Kind.EMAIL_SENT,
    OrderEvent.Kind.EMAIL_FAILED,
    OrderEvent.Kind.EMAIL_CANCELLED,
    OrderEvent.Kind.EMAIL_NOTE,
]


def order_timeline(*, order: Order, with_emails: bool, limit: int = 100) -> QuerySet[OrderEvent]:
    """The order's events, newest first; email events only for those who may read the emails."""
    events = order.events.select_related("actor", "email")
    if not with_emails:
        events = events.exclude(kind__in=EMAIL_EVENT_KINDS)
    return events[:limit]


class RecipientCandidates(NamedTuple):
    client_contacts: list[Contact]
    building_contacts: list[tuple[Building, list[Contact]]]

    def all_contacts(self) -> list[Contact]:
        """Both groups in one list, the client's first."""
        return [*self.client_contacts, *(c for _building, group in self.building_contacts for c in group)]


def order_recipient_candidates(*, order: Order) -> RecipientCandidates:
    """The two groups of contacts the composer offers: the client's and the buildings'."""
    # An order from order_get_for_user has them already; only what is missing is read.
    prefetch_related_objects(
        [order], "client__contacts", Prefetch("buildings", queryset=Building.objects.prefetch_related("contacts"))
    )
    return RecipientCandidates(
        client_contacts=list(order.client.contacts.all()),
        building_contacts=[(b, list(b.contacts.all())) for b in order.buildings.all()],
    )


FIVE_CENTIMES = Decimal("0.05")


def chf_round(amount: Decimal) -> Decimal:
    """Round to the Swiss 5-centime step (commercial rounding)."""
    return ((amount / FIVE_CENTIMES).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * FIVE_CENTIMES).quantize(
        Decimal("0.01")
    )


class VatLine(NamedTuple):
    rate: Decimal
    base: Decimal
    vat: Decimal


class OfferTotals(NamedTuple):
    net: Decimal
    vat_lines: list[VatLine]
    vat_total: Decimal
    total: Decimal


def offer_totals(*, offer: Offer) -> OfferTotals:
    """Net amount, VAT by rate and the gross total, the total rounded to 5 centimes."""
    bases: dict[Decimal, Decimal] = {}
    for line in offer.lines.all():
        rate = Decimal(line.vat_rate)
        bases[rate] = bases.get(rate, Decimal("0")) + line.amount
    vat_lines = [
        VatLine(rate=rate, base=base, vat=(base * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        for rate, base in sorted(bases.items(), reverse=True)
    ]
    net = sum((v.base for v in vat_lines), Decimal("0.00"))
    vat_total = sum((v.vat for v in vat_lines), Decimal("0.00"))
    return OfferTotals(net=net, vat_lines=vat_lines, vat_total=vat_total, total=chf_round(net + vat_total))
