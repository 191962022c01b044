"""The limits seen from outside: the backoffice refuses at save; the composer and the API answer a clear error."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from organisatrice.emails.models import EmailDraft, EmailTemplate
from tests.api.conftest import api, order  # noqa: F401
from tests.emails.templating.payloads import LOOPS, POWER, RECURSION

pytestmark = pytest.mark.django_db


def _add_form(free_type: int, body: str) -> dict[str, object]:
    return {
        "type": free_type,
        "language": "fr",
        "name": "Nouveau",
        "is_active": "on",
        "subject": "Commande {{ order_number }}",
        "greeting": "{{ formal_greeting }},",
        "motivation": "",
        "body": body,
        "closing": "Meilleures salutations",
        "attachment_kind": "",
        "filename_pattern": "",
    }


@pytest.fixture
def superuser_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    return client


@pytest.mark.parametrize(
    ("body", "expected"),
    [(POWER, "chiffres"), (LOOPS, "range()"), (RECURSION, "niveaux"), ("{{ order_title.ljust(10**7) }}", "ljust")],
    ids=["power", "loops", "recursion", "attribute"],
)
def test_the_backoffice_refuses_to_save_a_template_that_breaks_a_limit(superuser_client, body, expected):
    free = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True).type
    before = EmailTemplate.objects.count()
    assert superuser_client.get(reverse("admin:emails_emailtemplate_add")).status_code == 200  # warms the admin up
    started = time.perf_counter()
    response = superuser_client.post(reverse("admin:emails_emailtemplate_add"), _add_form(free.pk, body))
    assert time.perf_counter() - started < 1
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["body"]
    assert expected in error
    assert EmailTemplate.objects.count() == before


def test_the_backoffice_saves_a_normal_template(superuser_client):
    free = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True).type
    body = "{% if building_name %}Bâtiment {{ building_name|upper }}{% endif %}"
    response = superuser_client.post(reverse("admin:emails_emailtemplate_add"), _add_form(free.pk, body))
    assert response.status_code == 302
    assert EmailTemplate.objects.get(name="Nouveau").body == body


TITLE = "Purge du chauffage"
REACHED = f'{{% if order_title == "{TITLE}" %}}'  # saved against the sample values, where it is false

BRANCHES = {
    "loops": (
        REACHED + "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}{% endif %}",
        "tours",
    ),
    "recursion": ("{% macro m(n) %}{{ m(n) }}{% endmacro %}" + REACHED + "{{ m(1) }}{% endif %}", "niveaux"),
    "text": (REACHED + "{{ order_title * 10**6 }}{% endif %}", "texte produit"),
}


@pytest.fixture
def saved_before(order, request):  # noqa: F811
    """A template saved before the limits, with a branch that this order's data reaches."""
    body, _expected = BRANCHES[request.param]
    order.title = TITLE
    order.save()
    free = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True).type
    return EmailTemplate.objects.create(type=free, language="fr", name="Piégé", subject="{{ order_number }}", body=body)


@pytest.mark.parametrize(("saved_before", "kind"), [(kind, kind) for kind in BRANCHES], indirect=["saved_before"])
def test_the_composer_page_answers_a_clear_error(client, employee, order, saved_before, kind):  # noqa: F811
    client.force_login(employee.user)
    started = time.perf_counter()
    response = client.post(reverse("emails:new", args=[order.pk]), {"template": saved_before.pk})
    assert time.perf_counter() - started < 1
    assert response.status_code == 400
    [error] = response.context["form"].non_field_errors()
    assert "Piégé" in error and BRANCHES[kind][1] in error
    assert not EmailDraft.objects.exists()


@pytest.mark.parametrize(("saved_before", "kind"), [(kind, kind) for kind in BRANCHES], indirect=["saved_before"])
def test_the_api_answers_a_clear_error(api, order, saved_before, kind):  # noqa: F811
    started = time.perf_counter()
    response = api.post(f"/orders/{order.pk}/email-drafts", {"template_id": saved_before.pk})
    assert time.perf_counter() - started < 1
    assert response.status_code == 422
    messages = [error["message"] for error in response.json()["errors"]]
    assert any("Piégé" in message and BRANCHES[kind][1] in message for message in messages), messages
    assert not EmailDraft.objects.exists()
