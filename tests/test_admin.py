"""Every backoffice page opens: changelist, add form and change form of every registered model."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from organisatrice.devtools.demo import demo_seed
from organisatrice.orders.models import Order, OrderReadyToBill
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.shared_media]

# Read when the module is collected, so that an admin registered tomorrow is tested too.
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _model_admin in REGISTERED]


@pytest.fixture
def superuser(db):
    demo_seed(orders=40, seed=3)
    Group.objects.create(name="Répartition")
    return get_user_model().objects.get(username="admin")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def admin_request(user) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def admin_url(model: type[Model], page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def an_object_to_open(model_admin: admin.ModelAdmin, request: HttpRequest) -> Model | None:
    """A row the admin lists: from the demo data, or else made by the model's factory in tests/factories.py."""
    instance = model_admin.get_queryset(request).order_by("pk").first()
    factory = getattr(factories, f"{model_admin.model.__name__}Factory", None)
    if instance is None and factory is not None:
        instance = factory()
    return instance


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_opens(superuser_client, model, model_admin):
    # The company's settings are one row: their list opens that row's page.
    response = superuser_client.get(admin_url(model, "changelist"), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_add_form_opens(superuser_client, superuser, model, model_admin):
    if not model_admin.has_add_permission(admin_request(superuser)):
        pytest.skip(f"{model._meta.label}: nobody may add one in the backoffice")
    assert superuser_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_change_form_opens(superuser_client, superuser, model, model_admin):
    instance = an_object_to_open(model_admin, admin_request(superuser))
    if instance is None:
        pytest.skip(
            f"{model._meta.label}: neither the demo data nor tests/factories.py "
            f"({model.__name__}Factory) gives one to open"
        )
    assert superuser_client.get(admin_url(model, "change", quote(instance.pk))).status_code == 200


def test_order_changelist_searches_number_and_client(superuser_client):
    url = reverse("admin:orders_order_changelist")
    wanted = Order.objects.select_related("client").order_by("number").first()

    by_number = superuser_client.get(url, {"q": wanted.number})
    assert by_number.status_code == 200
    assert [o.pk for o in by_number.context["cl"].result_list] == [wanted.pk]

    # Quoted, the client's name is searched as one phrase.
    by_client = superuser_client.get(url, {"q": f'"{wanted.client.name}"'})
    assert by_client.status_code == 200
    found = list(by_client.context["cl"].result_list)
    assert wanted in found
    assert {o.client_id for o in found} == {wanted.client_id}


@pytest.mark.parametrize(
    ("model", "term"),
    [(Order, "Gerance Eoliennes"), (Order, "les hetres-noirs"), (Order, "BELRICHARD"), (OrderReadyToBill, "hetres")],
)
def test_the_backoffice_finds_orders_as_the_order_list_does_accents_and_contacts_aside(superuser_client, model, term):
    # Names the demo data does not have, accented where the terms are not.
    client = factories.ClientFactory(name="Gérance Éoliennes Wüthrich SA")
    order = factories.OrderFactory(number="2099-00001", client=client, title="Chauffage", reported_at=timezone.now())
    order.buildings.add(factories.BuildingFactory(name="Résidence Les Hêtres-Noirs"))
    factories.ContactFactory(client=client, first_name="Anne", last_name="Bélrichard")
    factories.OrderFactory(number="2099-00002", title="Autre commande")

    found = superuser_client.get(admin_url(model, "changelist"), {"q": term}).context["cl"].result_list

    assert [o.pk for o in found] == [order.pk]


def test_an_order_picker_elsewhere_in_the_backoffice_searches_the_same_way(superuser_client):
    order = factories.OrderFactory(
        number="2099-00001", client=factories.ClientFactory(name="Gérance Éoliennes Wüthrich SA")
    )
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"term": "eoliennes wuthrich", "app_label": "orders", "model_name": "workreport", "field_name": "order"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(order.pk)]
