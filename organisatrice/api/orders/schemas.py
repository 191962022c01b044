"""An order read from its model: client, buildings, documents, the contacts an email can go to,
and whether the caller may send one."""

import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from organisatrice.clients.models import Building, Contact
from organisatrice.emails import policy
from organisatrice.orders import naming, selectors
from organisatrice.orders.models import Offer, Order, WorkReport
from organisatrice.people.selectors import company_settings_get

from ..auth import caller
from ..schemas import EmployeeOut, PageOut, inline

OrderStatus = Annotated[Order.Status, inline(Order.Status)]


class ClientRefOut(Schema):
    id: int
    name: str


class ClientOut(ClientRefOut):
    kind: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str
    language: str


class BuildingOut(Schema):
    id: int
    name: str
    street: str
    postal_code: str
    city: str


class ContactOut(Schema):
    id: int
    salutation: str
    first_name: str
    last_name: str
    name: str = Field(alias="full_name")
    function: str
    email: str
    phone: str
    language: str
    is_main: bool = Field(
        description="Le contact principal du client ou du bâtiment : le destinataire proposé d'abord."
    )


class BuildingContactsOut(Schema):
    # One (building, contacts) pair of RecipientCandidates.building_contacts.
    building: BuildingOut
    contacts: list[ContactOut]

    @staticmethod
    def resolve_building(pair: tuple[Building, list[Contact]]) -> Building:
        return pair[0]

    @staticmethod
    def resolve_contacts(pair: tuple[Building, list[Contact]]) -> list[Contact]:
        return pair[1]


class RecipientCandidatesOut(Schema):
    client_contacts: list[ContactOut]
    building_contacts: list[BuildingContactsOut]


class WorkReportOut(Schema):
    id: int
    number: int = Field(description="Son numéro sur la commande, par date puis création (1 pour le premier).")
    label: str = Field(description="Ce qui le distingue : numéro, date, collaborateurs, heures, transmission.")
    date: datetime.date
    remarks: str
    total_hours: str
    reported_at: datetime.datetime | None = Field(description="Transmis au client par un eMail qui le joignait.")

    @staticmethod
    def resolve_total_hours(report: WorkReport) -> str:
        return f"{report.total_hours:.2f}"


class PhotoOut(Schema):
    id: int
    number: int = Field(description="Son numéro sur la commande, par heure de prise de vue.")
    label: str
    caption: str
    taken_at: datetime.datetime | None
    building_id: int | None


class OfferOut(Schema):
    id: int
    number: str
    label: str
    date: datetime.date
    valid_until: datetime.date
    expired: bool
    net: str
    vat_total: str
    total: str

    # The totals are summed from the offer's prefetched lines, without a query.
    @staticmethod
    def resolve_net(offer: Offer) -> str:
        return f"{selectors.offer_totals(offer=offer).net:.2f}"

    @staticmethod
    def resolve_vat_total(offer: Offer) -> str:
        return f"{selectors.offer_totals(offer=offer).vat_total:.2f}"

    @staticmethod
    def resolve_total(offer: Offer) -> str:
        return f"{selectors.offer_totals(offer=offer).total:.2f}"


class DocumentsOut(Schema):
    # Read from the order.
    work_reports: list[WorkReportOut]
    photos: list[PhotoOut]
    offers: list[OfferOut]

    # Each record carries its name on the order, as the pages show it.
    @staticmethod
    def resolve_work_reports(order: Order) -> Any:
        return [_named(n.report, number=n.number, label=n.label) for n in naming.work_reports_named(order=order)]

    @staticmethod
    def resolve_photos(order: Order) -> Any:
        return [_named(n.photo, number=n.number, label=n.label) for n in naming.photos_named(order=order)]

    @staticmethod
    def resolve_offers(order: Order) -> Any:
        return [_named(n.offer, label=n.label, expired=n.expired) for n in naming.offers_named(order=order)]


def _named(record: Any, **names: Any) -> Any:
    for name, value in names.items():
        setattr(record, name, value)
    return record


class OrderSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: OrderStatus
    client: ClientRefOut
    responsible: EmployeeOut | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    reported_at: datetime.datetime | None


class OrderOut(OrderSummaryOut):
    description: str
    created_at: datetime.datetime
    client: ClientOut  # the detail gives the whole client
    buildings: list[BuildingOut]
    documents: DocumentsOut
    recipient_candidates: RecipientCandidatesOut
    can_send_email: bool
    send_refusal: str | None = Field(description="Pourquoi l'appelant ne peut pas envoyer d'eMail, sinon null.")

    @staticmethod
    def resolve_documents(order: Order) -> Order:
        return order

    @staticmethod
    def resolve_recipient_candidates(order: Order) -> selectors.RecipientCandidates:
        return selectors.order_recipient_candidates(order=order)

    @staticmethod
    def resolve_can_send_email(order: Order, context: dict[str, Any]) -> bool:
        return OrderOut.resolve_send_refusal(order, context) is None

    @staticmethod
    def resolve_send_refusal(order: Order, context: dict[str, Any]) -> str | None:
        employee = caller(context["request"])
        return policy.send_refusal(employee=employee, order=order, company=company_settings_get())


class OrderPageOut(PageOut):
    results: list[OrderSummaryOut]
