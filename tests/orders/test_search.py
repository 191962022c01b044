"""The order search ignores accents and case, and finds orders by their contacts' names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisatrice.orders import selectors
from organisatrice.orders.models import Order
from organisatrice.orders.search import search_normalise
from organisatrice.orders.services import order_search_text_refresh
from organisatrice.orders.views import ORDERS_PER_PAGE
from tests.factories import BuildingFactory, ClientFactory, ContactFactory, EmployeeFactory, OrderFactory

from .test_order_list import listed_numbers

pytestmark = pytest.mark.django_db


def found(search: str) -> list[str]:
    listing = selectors.order_list_page(employee=EmployeeFactory(), search=search, per_page=ORDERS_PER_PAGE)
    return [order.number for order in listing.orders]


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Gérance Tissot", "gerance tissot"),
        ("Les ÉRABLES", "les erables"),
        ("Straße", "strasse"),
        ("Œuvre Cœur", "oeuvre coeur"),
        ("Zürich Müller", "zurich muller"),
    ],
)
def test_words_are_compared_without_accents_or_case(text, normalised):
    assert search_normalise(text) == normalised


def test_a_building_is_found_without_its_accents(logged_in):
    customer = ClientFactory(name="Régie Morand SA")
    order = OrderFactory(client=customer, buildings=[BuildingFactory(client=customer, name="Résidence Les Érables")])
    OrderFactory(client=customer)

    assert listed_numbers(logged_in, q="Les Erables") == [order.number]
    assert listed_numbers(logged_in, q="LES ÉRABLES") == [order.number]


def test_a_client_is_found_without_its_accents():
    order = OrderFactory(client=ClientFactory(name="Gérance Tissot SA"))
    OrderFactory(client=ClientFactory(name="Gérance Favre SA"))

    assert found("Gerance Tissot") == [order.number]
    assert found("gérance TISSOT") == [order.number]


def test_accents_typed_find_words_stored_without_them():
    order = OrderFactory(title="Detartrage du chauffe-eau")

    assert found("Détartrage") == [order.number]


@pytest.mark.parametrize("owner", ["client", "building"])
def test_a_contacts_name_finds_the_orders_of_its_client_or_building(owner):
    customer = ClientFactory(name="Immobilien Keller AG")
    building = BuildingFactory(client=customer, name="MFH Seestrasse 4")
    with_building = OrderFactory(client=customer, buildings=[building])
    without_building = OrderFactory(client=customer)
    OrderFactory()
    if owner == "client":
        ContactFactory(client=customer, first_name="Jean", last_name="Mottier")
        expected = sorted([str(with_building.number), str(without_building.number)], reverse=True)
    else:
        ContactFactory(client=None, building=building, first_name="Jean", last_name="Mottier")
        expected = [str(with_building.number)]

    assert found("Mottier") == expected
    assert found("jean mottier") == expected


def test_the_search_follows_renames_new_links_and_deletions():
    customer = ClientFactory.create(name="Fondation Beau-Site")
    order = OrderFactory.create(client=customer)
    contact = ContactFactory.create(client=customer, last_name="Mottier")
    building = BuildingFactory.create(client=customer, name="Les Tilleuls")

    contact.last_name = "Pittet"
    contact.save()
    assert (found("Mottier"), found("Pittet")) == ([], [order.number])

    order.buildings.add(building)
    assert found("Tilleuls") == [order.number]
    building.name = "Les Peupliers"
    building.save()
    assert (found("Tilleuls"), found("Peupliers")) == ([], [order.number])

    customer.name = "Fondation Mon-Repos"
    customer.save()
    assert (found("Beau-Site"), found("Mon-Repos")) == ([], [order.number])

    order.responsible.last_name = "Bérard"
    order.responsible.save()
    assert found("Berard") == [order.number]

    contact.delete()
    building.delete()
    assert found("Pittet") == found("Peupliers") == []


def test_the_refresh_writes_only_what_changed():
    orders = OrderFactory.create_batch(3)
    Order.objects.filter(pk=orders[0].pk).update(search_text="")

    assert order_search_text_refresh(order_ids=[o.pk for o in orders]) == 1
    assert order_search_text_refresh(order_ids=[o.pk for o in orders]) == 0


@pytest.mark.parametrize("term", ["%", "_", "\\", "'"])
def test_like_wildcards_and_quotes_are_searched_as_typed(term):
    OrderFactory(title="Remplacement de la pompe")
    with_it = OrderFactory(title=f"Pompe {term} 2")

    assert found(term) == [with_it.number]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plan")
def test_postgresql_finds_the_words_through_their_trigram_index():
    # Without the index the plan is a sequential scan of every order.
    queryset = selectors.order_numbers_matching(orders=Order.objects.all(), term="érables")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        assert "orders_order_search_trgm" in queryset.explain()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_sqlite_scans_the_narrow_index_rather_than_the_orders():
    queryset = selectors.order_numbers_matching(orders=Order.objects.all(), term="érables")
    assert "COVERING INDEX orders_order_search_scan" in queryset.explain()


def test_two_letters_are_searched_too():
    order = OrderFactory(title="Dégât d'eau")
    OrderFactory(title="Remplacement")

    assert found("ga") == [order.number]


def test_a_contact_moving_to_another_client_takes_its_name_along():
    first, second = ClientFactory.create(), ClientFactory.create()
    left, joined = OrderFactory.create(client=first), OrderFactory.create(client=second)
    contact = ContactFactory.create(client=first, last_name="Mottier")
    assert found("Mottier") == [left.number]

    contact.client = second
    contact.save()

    assert found("Mottier") == [joined.number]


def test_a_save_that_changes_no_searched_word_writes_no_order():
    employee = EmployeeFactory.create()
    OrderFactory.create_batch(3, responsible=employee)

    with CaptureQueriesContext(connection) as queries:
        employee.language = "de"
        employee.save()
        employee.save(update_fields=["language"])

    assert not [q for q in queries.captured_queries if "orders_order" in q["sql"]]
