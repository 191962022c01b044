import hashlib
import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from PIL import Image

from organisatrice.clients.models import Building, Client, Contact
from organisatrice.devtools.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, PHOTO_POOL_SIZE
from organisatrice.orders.models import OfferLine, Order, Photo
from organisatrice.people.models import Employee
from organisatrice.people.selectors import company_settings_get
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

ORDERS = 60


@pytest.fixture(scope="module")
def _shared_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, _shared_media):
    # Overrides the conftest one: the photo pool is drawn once for the whole module.
    settings.MEDIA_ROOT = _shared_media


def seed_demo(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO(), verbosity=0, **{"orders": ORDERS, **options})
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def demo_digest() -> str:
    """What a person sees of the demo data, without the database ids."""
    orders = (
        Order.objects.order_by("number")
        .select_related("client", "responsible__user")
        .prefetch_related(
            "buildings", "work_reports__lines__employee", "work_reports__materials", "photos", "offers__lines"
        )
    )
    rows = [
        (
            o.number,
            o.title,
            o.description,
            o.status,
            o.start_date,
            o.end_date,
            o.created_at,
            o.reported_at,
            o.client.name,
            o.responsible.user.username if o.responsible else None,
            sorted(b.name for b in o.buildings.all()),
            [
                (
                    r.date,
                    r.remarks,
                    [(line.employee.last_name, line.hours, line.description) for line in r.lines.all()],
                    [(m.description, m.quantity, m.unit) for m in r.materials.all()],
                )
                for r in o.work_reports.all()
            ],
            [(p.image.name, p.caption, p.taken_at) for p in o.photos.all()],
            [
                (
                    offer.number,
                    [(li.description, li.quantity, li.unit, li.unit_price, li.vat_rate) for li in offer.lines.all()],
                )
                for offer in o.offers.all()
            ],
        )
        for o in orders
    ]
    contacts = sorted(Contact.objects.values_list("last_name", "first_name", "function", "email", "phone", "language"))
    buildings = sorted(Building.objects.values_list("name", "street", "postal_code", "city"))
    return hashlib.sha256(repr((rows, contacts, buildings)).encode()).hexdigest()


def wipe_demo_data() -> None:
    Order.objects.all().delete()
    Client.objects.all().delete()


def test_the_same_seed_gives_the_same_data(debug):
    seed_demo(seed=7)
    first = demo_digest()
    wipe_demo_data()
    seed_demo(seed=7)
    assert demo_digest() == first
    wipe_demo_data()
    seed_demo(seed=8)
    assert demo_digest() != first


def test_demo_accounts_log_in_with_their_roles(debug):
    seed_demo()

    for username in DEMO_ACCOUNTS:
        assert authenticate(RequestFactory().post("/login/"), username=username, password=DEMO_PASSWORD) is not None, (
            username
        )
    employees = {e.user.username: e for e in Employee.objects.select_related("user")}
    admin, dispatcher, coordinator = employees["admin"], employees["dispatcher"], employees["coordinator"]
    tech1, tech2 = employees["tech1"], employees["tech2"]
    assert admin.user.is_superuser and admin.user.is_staff
    assert dispatcher.is_dispatcher and dispatcher.mail_permission and not dispatcher.user.is_staff
    assert coordinator.is_coordinator and coordinator.mail_permission
    assert tech1.is_technician and tech1.email_enabled and tech1.mail_permission
    assert tech2.is_technician and not tech2.mail_permission
    assert tech1.responsible_orders.count() >= 6
    assert tech2.responsible_orders.count() >= 3
    for employee in employees.values():
        assert employee.email.endswith("@dupont-tb.ch"), employee
        assert employee.phone.startswith("+41 "), employee
        assert employee.function, employee


def test_the_company_is_a_swiss_building_services_firm(debug):
    seed_demo()

    company = company_settings_get()
    assert company.name == "Dupont Technique du Bâtiment SA"
    assert (company.postal_code, company.city) == ("1008", "Prilly")
    assert company.sending_domain == "dupont-tb.ch"
    assert company.sending_address.endswith("@dupont-tb.ch")
    assert company.logo.name and not company.logo_in_emails


def test_a_configured_company_is_left_alone(debug):
    company = company_settings_get()
    company.name, company.sending_domain = "Sanitaire Rochat Sàrl", "rochat-sanitaire.ch"
    company.save()

    seed_demo()

    assert company_settings_get().name == "Sanitaire Rochat Sàrl"


def test_without_debug_the_accounts_are_refused_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match=r"DEBUG est désactivé.*--force"):
        seed_demo()
    assert not get_user_model().objects.exists()
    assert not Order.objects.exists()

    seed_demo(force=True)
    assert Order.objects.count() == ORDERS
    assert get_user_model().objects.filter(username__in=DEMO_ACCOUNTS).count() == len(DEMO_ACCOUNTS)


def test_if_empty_does_nothing_when_orders_exist(debug):
    OrderFactory()

    out = seed_demo(if_empty=True)

    assert Order.objects.count() == 1
    assert "existent déjà" in out
    assert not get_user_model().objects.filter(username="dispatcher").exists()


def test_if_empty_with_orders_is_quiet_even_without_debug(settings):
    settings.DEBUG = False
    OrderFactory()

    assert "existent déjà" in seed_demo(if_empty=True)
    assert Order.objects.count() == 1


def test_if_empty_seeds_an_empty_database(debug):
    seed_demo(if_empty=True)
    assert Order.objects.count() == ORDERS


def test_seeding_twice_adds_orders_and_keeps_the_accounts(debug):
    seed_demo(orders=30)
    tech1_password = get_user_model().objects.get(username="tech1").password

    out = seed_demo(orders=20)

    assert Order.objects.count() == 50
    assert "déjà présents" in out
    assert get_user_model().objects.get(username="tech1").password == tech1_password
    assert Employee.objects.filter(user__username="tech1").count() == 1


def test_order_numbers_continue_after_the_highest_one(debug):
    OrderFactory(number="2026-00042")

    seed_demo()

    numbers = sorted(Order.objects.exclude(number="2026-00042").values_list("number", flat=True))
    assert all(re.fullmatch(r"\d{4}-\d{5}", n) for n in numbers)
    by_year: dict[str, list[int]] = {}
    for number in numbers:
        year, sequence = number.split("-")
        by_year.setdefault(year, []).append(int(sequence))
    # Consecutive in every year; in 2026 right after the number already taken.
    for year, sequences in by_year.items():
        first = 43 if year == "2026" else 1
        assert sequences == list(range(first, first + len(sequences))), year


def test_counts_and_content_are_plausible(debug):
    out = seed_demo()

    assert Order.objects.count() == ORDERS
    assert f"{ORDERS} commandes" in out
    assert Client.objects.count() >= 15
    assert set(Client.objects.values_list("language", flat=True)) == {"fr", "de"}
    assert set(Client.objects.values_list("kind", flat=True)) == {Client.Kind.COMPANY, Client.Kind.PERSON}
    assert Contact.objects.filter(building__isnull=False).exclude(email="").exists()
    assert Contact.objects.filter(function__in=["Concierge", "Hauswart", "Hauswartin"]).exists()
    assert all(re.fullmatch(r"\d{4}", code) for code in Building.objects.values_list("postal_code", flat=True))
    for order in Order.objects.prefetch_related("buildings"):
        assert 1 <= order.buildings.count() <= 3, order
        assert all(b.client_id == order.client_id for b in order.buildings.all()), order
    assert set(Order.objects.values_list("status", flat=True)) >= {"new", "in_progress", "completed", "invoiced"}
    rates = set(OfferLine.objects.values_list("vat_rate", flat=True))
    assert "8.1" in rates
    assert rates & {"2.6", "0"}


def test_photos_are_a_few_valid_images_shared_by_many_rows(debug):
    seed_demo()

    names = set(Photo.objects.values_list("image", flat=True))
    assert Photo.objects.count() > len(names)
    assert len(names) <= PHOTO_POOL_SIZE
    orientations = set()
    for name in names:
        assert 100_000 < default_storage.size(name) < 1_000_000, name
        with default_storage.open(name) as stored, Image.open(stored) as image:
            image.verify()
        with default_storage.open(name) as stored, Image.open(stored) as image:
            assert image.format == "JPEG"
            image.load()
            orientations.add(image.getexif().get(0x0112, 1))
    assert orientations & {3, 6, 8}, "some photos must need their EXIF orientation applied"


def orders_ready_to_email(username: str) -> list[Order]:
    """The user's orders with every kind of document and addresses on both contact groups."""
    ready = []
    for order in Order.objects.filter(responsible__user__username=username).select_related("client"):
        has_documents = order.work_reports.exists() and order.photos.exists() and order.offers.exists()
        client_emails = order.client.contacts.exclude(email="").exists()
        building_emails = Contact.objects.filter(building__in=order.buildings.all()).exclude(email="").exists()
        if has_documents and client_emails and building_emails:
            ready.append(order)
    return ready


def test_tech1_is_responsible_for_orders_ready_to_email(debug):
    seed_demo()

    ready = orders_ready_to_email("tech1")
    assert len(ready) >= 6
    assert all(o.reported_at is None and o.status in ("in_progress", "completed") for o in ready)
    assert len(orders_ready_to_email("tech2")) >= 3
    # They are among the newest, so the order list shows them first.
    newest = set(Order.objects.order_by("-number").values_list("pk", flat=True)[:50])
    assert {o.pk for o in ready} <= newest
