"""A client's and a building's main contact: at most one each, and whom emails from a document go to."""

import pytest
from django.db import IntegrityError, transaction

from organisatrice.emails.composer.selectors import main_contact
from organisatrice.orders.selectors import order_recipient_candidates
from tests.factories import BuildingFactory, ContactFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_a_client_has_at_most_one_main_contact():
    first = ContactFactory(is_main=True)
    ContactFactory(client=first.client, is_main=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(client=first.client, is_main=True)


def test_a_building_has_at_most_one_main_contact_beside_its_clients():
    building = BuildingFactory()
    ContactFactory(client=building.client, is_main=True)
    ContactFactory(client=None, building=building, is_main=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(client=None, building=building, is_main=True)


def test_the_backoffice_refuses_a_second_main_contact_with_a_message(admin_client):
    first = ContactFactory(is_main=True)
    response = admin_client.post(
        "/backoffice/clients/contact/add/",
        {
            "client": str(first.client_id),
            "building": "",
            "salutation": "mr",
            "first_name": "Paul",
            "last_name": "Second",
            "function": "",
            "email": "p.second@gerance.ch",
            "phone": "",
            "language": "fr",
            "is_main": "on",
        },
    )
    assert response.status_code == 200
    assert "Ce client a déjà un contact principal." in response.content.decode()


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("client", "client-main@x.ch"),
        ("building", "building-main@x.ch"),
        (None, "client-first@x.ch"),
    ],
)
def test_the_main_contact_is_the_clients_then_the_buildings_then_the_first_with_an_address(marked, expected):
    building = BuildingFactory()
    order = OrderFactory(client=building.client, buildings=[building])
    ContactFactory(client=order.client, last_name="A", email="")  # no address: never chosen
    ContactFactory(client=order.client, last_name="B", email="client-first@x.ch")
    ContactFactory(client=order.client, last_name="C", email="client-main@x.ch", is_main=marked == "client")
    ContactFactory(client=None, building=building, email="building-main@x.ch", is_main=marked == "building")
    assert main_contact(order_recipient_candidates(order=order)).email == expected


def test_a_main_contact_without_an_address_is_passed_over():
    order = OrderFactory()
    ContactFactory(client=order.client, last_name="A", email="", is_main=True)
    ContactFactory(client=order.client, last_name="B", email="b@x.ch")
    assert main_contact(order_recipient_candidates(order=order)).email == "b@x.ch"
