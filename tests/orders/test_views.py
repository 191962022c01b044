import pytest
from django.urls import reverse

from organisatrice.orders.models import Order
from tests.factories import (
    BuildingFactory,
    ContactFactory,
    OfferLineFactory,
    OrderFactory,
    UserFactory,
    WorkReportLineFactory,
)

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login(client):
    order = OrderFactory()
    for url in [reverse("orders:list"), reverse("orders:detail", args=[order.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_user_without_employee_profile_sees_nothing(client):
    order = OrderFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("orders:list")).status_code == 403
    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 403


def test_order_list_searches_number_client_building_and_responsible(logged_in):
    building = BuildingFactory(name="Les Tilleuls")
    wanted = OrderFactory(
        number="2026-00042", buildings=[building], client__name="Fondation Beau-Site", responsible__last_name="Rochat"
    )
    other = OrderFactory(number="2026-00043", client__name="Régie Martin", responsible__last_name="Keller")
    for term in ["00042", wanted.client.name, "Tilleuls", wanted.responsible.last_name]:
        content = logged_in.get(reverse("orders:list"), {"q": term}).content.decode()
        assert wanted.number in content, term
        assert other.number not in content, term


def test_order_list_paginates(logged_in):
    OrderFactory.create_batch(30)
    first = logged_in.get(reverse("orders:list")).content.decode()
    second = logged_in.get(reverse("orders:list"), {"page": 2}).content.decode()
    assert "Page 1 sur 2" in first
    second_page_numbers = [o.number for o in Order.objects.order_by("-number")[25:]]
    assert len(second_page_numbers) == 5
    assert all(number in second for number in second_page_numbers)
    assert all(number not in first for number in second_page_numbers)


def test_order_detail_shows_client_buildings_contacts_and_documents(logged_in):
    building = BuildingFactory(name="Résidence Les Érables")
    order = OrderFactory(buildings=[building], client=building.client)
    ContactFactory(client=order.client, last_name="Favre", email="a.favre@gerance.ch")
    ContactFactory(client=None, building=building, last_name="Concierge", email="concierge@erables.ch")
    WorkReportLineFactory(report__order=order, description="Purge du circuit")
    OfferLineFactory(offer__order=order, quantity=3, unit_price="98.00", vat_rate="8.1")

    content = logged_in.get(reverse("orders:detail", args=[order.pk])).content.decode()

    for expected in [
        order.number,
        order.client.name,
        "Résidence Les Érables",
        "a.favre@gerance.ch",
        "concierge@erables.ch",
        "Purge du circuit",
        "CHF\u00a0317.80",
    ]:
        assert expected in content, expected


def test_unknown_order_is_404(logged_in):
    assert logged_in.get(reverse("orders:detail", args=[999999])).status_code == 404


def test_photos_are_served_with_a_thumbnail_only_to_employees(client, logged_in):
    from tests.documents.factories import PhotoFactory

    photo = PhotoFactory()
    order = photo.order
    thumbnail = logged_in.get(reverse("orders:photo_thumbnail", args=[order.pk, photo.pk]))
    original = logged_in.get(reverse("orders:photo", args=[order.pk, photo.pk]))

    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert thumbnail.content.startswith(b"\xff\xd8") and len(thumbnail.content) < photo.image.size
    assert b"".join(original.streaming_content) == photo.image.open("rb").read()
    other_order = OrderFactory()
    assert logged_in.get(reverse("orders:photo", args=[other_order.pk, photo.pk])).status_code == 404
    logged_in.logout()
    assert logged_in.get(reverse("orders:photo", args=[order.pk, photo.pk])).status_code == 302
