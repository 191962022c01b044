"""Under /api/v1/ every answer is JSON: unknown paths with any method, a method a path does not take, a crash."""

import logging

import pytest
from django.test import Client as HttpClient

from organisatrice.api.services import api_token_create
from tests.api.conftest import BASE

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.fixture
def csrf_client() -> HttpClient:
    # The test client skips CSRF checks unless asked; a browser's or curl's request does not.
    return HttpClient(enforce_csrf_checks=True)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", ["/no/such/path", "/orders/1/nothing", "/"])
def test_an_unknown_path_is_a_json_404_whatever_the_method(csrf_client, employee, method, path):
    for headers in ({}, {"Authorization": f"Bearer {api_token_create(user=employee.user, name='t').key}"}):
        response = getattr(csrf_client, method)(f"{BASE}{path}", headers=headers)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "Cette adresse n'existe pas dans l'API."}


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_method_a_known_path_does_not_take_is_a_json_405(csrf_client, employee, method):
    token = api_token_create(user=employee.user, name="t").key
    response = getattr(csrf_client, method)(f"{BASE}/orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "Méthode non permise pour cette adresse ; méthodes permises : GET."}


def test_a_crash_is_a_json_500_and_is_logged(employee, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("organisatrice.api.orders.router.selectors.order_list_page", broken)
    client = HttpClient(raise_request_exception=False)
    token = api_token_create(user=employee.user, name="t").key
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(f"{BASE}/orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Erreur interne du serveur ; elle a été consignée."}
    assert "the database went away" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)


def test_too_many_fields_is_a_json_400_not_a_crash(employee, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    token = api_token_create(user=employee.user, name="t").key
    response = HttpClient(raise_request_exception=False).post(
        f"{BASE}/email-drafts/1/attachments",
        {f"f{n}": "x" for n in range(5)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Requête refusée.", "errors": []}
