from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from organisatrice.clients.models import Building, Contact
from organisatrice.people.models import Employee

from .models import Offer, Order, OrderEvent, Photo, WorkReport


def orders_visible_to(*, employee: Employee | None) -> QuerySet[Order]:
    """Every order of the company is visible to each of its employees, to nobody else."""
    if employee is None or not employee.user.is_active:
        return Order.objects.none()
    return Order.objects.all()


def order_list_for_user(*, employee: Employee | None, search: str = "") -> QuerySet[Order]:
    orders = orders_visible_to(employee=employee).select_related("client", "responsible")
    search = search.strip()
    if search:
        # Each term must match somewhere, so "2026 Erables" narrows instead of widening.
        for term in search.split():
            orders = orders.filter(
                Q(number__icontains=term)
                | Q(title__icontains=term)
                | Q(client__name__icontains=term)
                | Q(buildings__name__icontains=term)
                | Q(responsible__last_name__icontains=term)
                | Q(responsible__first_name__icontains=term)
            )
        orders = orders.distinct()
    return orders.order_by("-number")


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


def order_photos(*, order: Order) -> QuerySet[Photo]:
    return order.photos.select_related("taken_by", "building")


def order_offers(*, order: Order) -> QuerySet[Offer]:
    return order.offers.prefetch_related("lines")


def order_timeline(*, order: Order, limit: int = 100) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor")[:limit]


class RecipientCandidates(NamedTuple):
    client_contacts: list[Contact]
    building_contacts: list[tuple[Building, list[Contact]]]


def order_recipient_candidates(*, order: Order) -> RecipientCandidates:
    """The two groups of contacts the composer offers: the client's and the buildings'."""
    client_contacts = list(Contact.objects.filter(client_id=order.client_id).order_by("last_name", "first_name"))
    buildings = order.buildings.prefetch_related("contacts")
    return RecipientCandidates(
        client_contacts=client_contacts,
        building_contacts=[(b, list(b.contacts.all())) for b in buildings],
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
