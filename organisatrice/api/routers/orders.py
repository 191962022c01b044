from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router

from organisatrice.clients.models import Contact
from organisatrice.emails import policy
from organisatrice.orders import selectors
from organisatrice.orders.models import Order
from organisatrice.people.models import Employee
from organisatrice.people.selectors import company_settings_get

from ..auth import caller
from ..errors import responses
from ..pagination import PAGE_SIZE, page_links
from ..schemas import Id, OrderOut, OrderPageOut, PageNumber, Text

router = Router(tags=["Commandes"])


def employee_out(employee: Employee | None) -> dict | None:
    if employee is None:
        return None
    return {"id": employee.pk, "name": employee.full_name, "email": employee.email}


def contact_out(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "salutation": contact.salutation,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "name": contact.full_name,
        "function": contact.function,
        "email": contact.email,
        "phone": contact.phone,
        "language": contact.language,
    }


def order_summary_out(order: Order) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "title": order.title,
        "status": order.status,
        "client": order.client,
        "responsible": employee_out(order.responsible),
        "start_date": order.start_date,
        "end_date": order.end_date,
        "reported_at": order.reported_at,
    }


def order_out(order: Order, *, employee: Employee) -> dict:
    candidates = selectors.order_recipient_candidates(order=order)
    offers = []
    for offer in selectors.order_offers(order=order):
        totals = selectors.offer_totals(offer=offer)
        offers.append(
            {
                "id": offer.pk,
                "number": offer.number,
                "date": offer.date,
                "valid_until": offer.valid_until,
                "net": f"{totals.net:.2f}",
                "vat_total": f"{totals.vat_total:.2f}",
                "total": f"{totals.total:.2f}",
            }
        )
    refusal = policy.send_refusal(employee=employee, order=order, company=company_settings_get())
    return {
        **order_summary_out(order),
        "description": order.description,
        "created_at": order.created_at,
        "buildings": list(order.buildings.all()),
        "documents": {
            "work_reports": [
                {
                    "id": report.pk,
                    "date": report.date,
                    "remarks": report.remarks,
                    "total_hours": f"{report.total_hours:.2f}",
                    "reported_at": report.reported_at,
                }
                for report in selectors.order_work_reports(order=order)
            ],
            "photos": list(selectors.order_photos(order=order)),
            "offers": offers,
        },
        "recipient_candidates": {
            "client_contacts": [contact_out(c) for c in candidates.client_contacts],
            "building_contacts": [
                {"building": building, "contacts": [contact_out(c) for c in contacts]}
                for building, contacts in candidates.building_contacts
            ],
        },
        "can_send_email": refusal is None,
        "send_refusal": refusal,
    }


@router.get("/orders", response=responses({200: OrderPageOut}, 404))
def order_list(
    request: HttpRequest,
    search: Annotated[Text, Query("", max_length=200, description="Chaque mot doit se trouver quelque part.")] = "",
    page: PageNumber = 1,
) -> dict:
    """The orders the caller sees, newest first, 25 a page."""
    listing = selectors.order_list_page(employee=caller(request), search=search, page_number=page, per_page=PAGE_SIZE)
    links = page_links(request, listing.page, requested=page)
    return {**links, "results": [order_summary_out(order) for order in listing.orders]}


@router.get("/orders/{order_id}", response=responses({200: OrderOut}, 404))
def order_detail(request: HttpRequest, order_id: Id) -> dict:
    """The order with its client, buildings, documents and the contacts an email can go to."""
    employee = caller(request)
    return order_out(selectors.order_get_for_user(employee=employee, pk=order_id), employee=employee)
