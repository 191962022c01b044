import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisatrice.orders import selectors
from organisatrice.orders.views import ORDERS_PER_PAGE
from tests.factories import BuildingFactory, ClientFactory, EmployeeFactory, OrderFactory

pytestmark = pytest.mark.django_db


def listed_numbers(client, **params) -> list[str]:
    content = client.get(reverse("orders:list"), params).content.decode()
    return re.findall(r">(\d{4}-\d{5})</a>", content)


def test_an_order_with_two_matching_buildings_is_listed_once(logged_in):
    customer = ClientFactory(name="Régie Morand SA")
    order = OrderFactory(
        client=customer,
        buildings=[
            BuildingFactory(client=customer, name="Les Tilleuls A"),
            BuildingFactory(client=customer, name="Les Tilleuls B"),
        ],
    )

    assert listed_numbers(logged_in, q="Tilleuls") == [order.number]
    page = selectors.order_list_page(employee=EmployeeFactory(), search="Tilleuls", per_page=ORDERS_PER_PAGE)
    assert page.page.paginator.count == 1


def test_every_word_must_match_somewhere_whatever_the_case(logged_in):
    customer = ClientFactory(name="Fondation Beau-Site")
    both = OrderFactory(client=customer, title="Remplacement de la pompe de circulation")
    OrderFactory(client=customer, title="Détartrage du chauffe-eau")
    OrderFactory(title="Remplacement de la pompe du garage")

    assert listed_numbers(logged_in, q="POMPE beau-site") == [both.number]


def test_the_start_of_an_order_number_finds_the_orders_it_begins(logged_in):
    for number in ["2026-00040", "2026-00049", "2026-00050", "2025-00041"]:
        OrderFactory(number=number)

    assert listed_numbers(logged_in, q="2026-0004") == ["2026-00049", "2026-00040"]


def test_digits_are_looked_for_in_numbers_and_titles(logged_in):
    in_number = OrderFactory(number="2026-00300")
    in_title = OrderFactory(number="2026-00001", title="Remplacement du chauffe-eau 300 l")
    OrderFactory(number="2026-00002")

    assert listed_numbers(logged_in, q="300") == [in_number.number, in_title.number]


def test_a_search_is_paged_and_a_page_past_the_end_shows_the_last_one(logged_in):
    customer = ClientFactory(name="Gérance Favre & Cie SA")
    orders = OrderFactory.create_batch(ORDERS_PER_PAGE + 5, client=customer)
    OrderFactory.create_batch(3)
    newest_first = sorted((o.number for o in orders), reverse=True)

    first = logged_in.get(reverse("orders:list"), {"q": "Favre"}).content.decode()
    assert "Page 1 sur 2" in first
    assert listed_numbers(logged_in, q="Favre") == newest_first[:ORDERS_PER_PAGE]
    assert listed_numbers(logged_in, q="Favre", page=2) == newest_first[ORDERS_PER_PAGE:]
    past_the_end = logged_in.get(reverse("orders:list"), {"q": "Favre", "page": 9}).content.decode()
    assert "Page 2 sur 2" in past_the_end
    assert listed_numbers(logged_in, q="Favre", page="abc") == newest_first[:ORDERS_PER_PAGE]


def test_nothing_found_says_so(logged_in):
    OrderFactory()
    content = logged_in.get(reverse("orders:list"), {"q": "introuvable"}).content.decode()
    assert "Aucune commande ne correspond à « introuvable »." in content


def test_the_unsearched_list_falls_back_to_the_last_page(logged_in):
    OrderFactory.create_batch(ORDERS_PER_PAGE + 1)
    content = logged_in.get(reverse("orders:list"), {"page": 99}).content.decode()
    assert "Page 2 sur 2" in content
    assert len(listed_numbers(logged_in, page=99)) == 1


def test_the_queryset_and_the_page_agree(employee):
    customer = ClientFactory(name="Immobilien Keller AG")
    OrderFactory.create_batch(4, client=customer)
    OrderFactory(responsible__last_name="Keller")
    OrderFactory(buildings=[BuildingFactory(name="MFH Kellerweg 4")])
    OrderFactory.create_batch(3)

    queryset = selectors.order_list_for_user(employee=employee, search="keller")
    listing = selectors.order_list_page(employee=employee, search="keller", per_page=ORDERS_PER_PAGE)

    assert [o.number for o in listing.orders] == [o.number for o in queryset]
    assert listing.page.paginator.count == queryset.count() == 6


def test_nobody_without_an_employee_profile_gets_orders():
    OrderFactory(title="Remplacement de la pompe")
    for search in ["", "pompe"]:
        listing = selectors.order_list_page(employee=None, search=search, per_page=ORDERS_PER_PAGE)
        assert listing.orders == []
        assert listing.page.paginator.count == 0


def test_an_absurd_page_number_shows_the_last_page(logged_in):
    order = OrderFactory(title="Chaudière")
    for query in [{"q": "Chaudière", "page": "9" * 25}, {"page": "9" * 25}]:
        response = logged_in.get(reverse("orders:list"), query)
        assert response.status_code == 200
        assert order.number in response.content.decode()


def test_my_orders_are_those_i_am_responsible_for(logged_in, employee):
    mine = OrderFactory.create_batch(ORDERS_PER_PAGE + 1, responsible=employee, title="Pompe")
    OrderFactory.create_batch(2, title="Pompe")
    newest_first = sorted((o.number for o in mine), reverse=True)

    assert listed_numbers(logged_in, mine=1) == newest_first[:ORDERS_PER_PAGE]
    assert listed_numbers(logged_in, mine=1, q="pompe", page=2) == newest_first[ORDERS_PER_PAGE:]
    page = logged_in.get(reverse("orders:list"), {"mine": 1, "q": "pompe"}).content.decode()
    # The pagination and the search form keep the filter.
    assert "?q=pompe&amp;mine=1&amp;page=2" in page
    assert '<input type="hidden" name="mine" value="1">' in page
    assert len(listed_numbers(logged_in)) == ORDERS_PER_PAGE  # everybody's, unfiltered


def test_nobody_has_orders_of_their_own_without_a_profile():
    OrderFactory()
    listing = selectors.order_list_page(employee=None, mine=True, per_page=ORDERS_PER_PAGE)
    assert listing.orders == []


def _row_of(content: str, number: str) -> str:
    return re.search(rf"<tr>\s*<td class=\"nowrap\"><a [^>]*>{number}</a>.*?</tr>", content, re.S).group(0)


def test_each_order_shows_whether_its_reports_were_transmitted(logged_in):
    from django.utils import timezone

    from tests.factories import WorkReportFactory

    without = OrderFactory()
    pending = OrderFactory()
    WorkReportFactory(order=pending, reported_at=timezone.now())
    WorkReportFactory(order=pending)
    done = OrderFactory()
    WorkReportFactory(order=done, reported_at=timezone.now())

    content = logged_in.get(reverse("orders:list")).content.decode()

    assert '<span class="muted">—</span>' in _row_of(content, without.number)
    assert "1 non transmis" in _row_of(content, pending.number)
    assert ">transmis</span>" in _row_of(content, done.number)


def test_the_latest_emails_status_is_shown_to_those_who_may_read_the_archive(client, employee):
    from organisatrice.emails.models import OutgoingEmail
    from tests.emails.outgoing import outgoing_email_create

    order = OrderFactory(responsible=employee)
    older = outgoing_email_create(order=order, enqueue=False)
    newer = outgoing_email_create(order=order, enqueue=False)
    OutgoingEmail.objects.filter(pk=older.pk).update(status=OutgoingEmail.Status.SENT)
    OutgoingEmail.objects.filter(pk=newer.pk).update(status=OutgoingEmail.Status.FAILED)
    someone_elses = OrderFactory()
    outgoing_email_create(order=someone_elses, enqueue=False)
    client.force_login(employee.user)

    content = client.get(reverse("orders:list")).content.decode()

    assert '<span class="status status-failed">échec</span>' in _row_of(content, order.number)
    # A technician reads the archive of their own orders only.
    assert "status-queued" not in _row_of(content, someone_elses.number)
    employee.mail_permission = False
    employee.save()
    assert "status-failed" not in client.get(reverse("orders:list")).content.decode()


def test_the_list_reads_the_same_number_of_queries_for_any_page_size(logged_in, employee):
    from tests.emails.outgoing import outgoing_email_create
    from tests.factories import WorkReportFactory

    for _ in range(3):
        WorkReportFactory(order=OrderFactory(responsible=employee))
    logged_in.get(reverse("orders:list"))
    with CaptureQueriesContext(connection) as few:
        logged_in.get(reverse("orders:list"))
    for _ in range(12):
        order = OrderFactory(responsible=employee)
        WorkReportFactory(order=order)
        outgoing_email_create(order=order, enqueue=False)
    with CaptureQueriesContext(connection) as many:
        logged_in.get(reverse("orders:list"))
    assert len(many) == len(few)
