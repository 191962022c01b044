from typing import Annotated

from django.core.paginator import Page
from django.http import HttpRequest
from ninja import Query, Router

from organisatrice.orders import selectors
from organisatrice.orders.models import Order

from ..auth import caller
from ..errors import responses
from ..pagination import PAGE_SIZE, page_requested
from ..schemas import Id, PageNumber, Text
from .schemas import OrderOut, OrderPageOut

router = Router(tags=["Commandes"])


@router.get("/orders", response=responses({200: OrderPageOut}, 404))
def order_list(
    request: HttpRequest,
    search: Annotated[Text, Query("", max_length=200, description="Chaque mot doit se trouver quelque part.")] = "",
    page: PageNumber = 1,
    mine: Annotated[bool, Query(False, description="Seulement celles dont l'appelant est responsable.")] = False,
) -> Page:
    """The orders the caller sees (or only those they are responsible for), newest first, 25 a page."""
    listing = selectors.order_list_page(
        employee=caller(request), search=search, page_number=page, per_page=PAGE_SIZE, mine=mine
    )
    # The selector pages the orders' numbers; the answer lists the orders themselves.
    return page_requested(Page(listing.orders, listing.page.number, listing.page.paginator), requested=page)


@router.get("/orders/{order_id}", response=responses({200: OrderOut}, 404))
def order_detail(request: HttpRequest, order_id: Id) -> Order:
    """The order with its client, buildings, documents and the contacts an email can go to."""
    return selectors.order_get_for_user(employee=caller(request), pk=order_id)
