"""Tokens: issued for an active employee, stored as a hash, usable, revocable; and the session with CSRF."""

import datetime
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.utils import timezone

from organisatrice.api.models import ApiToken
from organisatrice.api.services import api_token_create, api_token_revoke
from tests.api.conftest import BASE, ApiClient
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_active_employee_gets_a_token_that_is_stored_only_as_its_hash(anonymous, employee):
    response = anonymous.post("/auth/token", {"username": employee.user.username, "password": "demo", "name": "ERP"})

    assert response.status_code == 201
    body = response.json()
    key = body["token"]
    assert key.startswith("oem_") and len(key) > 40
    token = ApiToken.objects.get()
    assert (body["id"], body["name"], body["prefix"]) == (token.pk, "ERP", key[:12])
    assert token.user == employee.user
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.name, token.prefix, token.key_hash}

    orders = ApiClient(HttpClient(), key).get("/orders")
    assert orders.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody", "demo"), ("known", "wrong"), ("", "")],
)
def test_wrong_credentials_get_401_and_no_token(anonymous, employee, username, password):
    username = employee.user.username if username == "known" else username
    response = anonymous.post("/auth/token", {"username": username, "password": password})

    assert response.status_code == 401
    assert response.json() == {"detail": "Nom d'utilisateur ou mot de passe incorrect."}
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_gets_no_token(anonymous, employee):
    employee.user.is_active = False
    employee.user.save()
    response = anonymous.post("/auth/token", {"username": employee.user.username, "password": "demo"})
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_a_user_who_is_no_employee_gets_403_with_the_reason(anonymous):
    user = UserFactory()
    response = anonymous.post("/auth/token", {"username": user.username, "password": "demo"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Ce compte n'est lié à aucun collaborateur."}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer oem_not-a-token", "Token abc", "Basic dXNlcjpwYXNz"],
)
def test_without_a_valid_token_the_api_answers_401(employee, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = HttpClient().get(f"{BASE}/orders", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentification requise : en-tête « Authorization: Bearer <jeton> »."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_no_longer_works(employee):
    issued = api_token_create(user=employee.user, name="ERP")
    client = ApiClient(HttpClient(), issued.key)
    assert client.get("/orders").status_code == 200

    api_token_revoke(token=issued.token)
    assert client.get("/orders").status_code == 401


def test_a_token_stops_working_when_its_user_is_deactivated_or_loses_the_employee(employee):
    issued = api_token_create(user=employee.user, name="ERP")
    client = ApiClient(HttpClient(), issued.key)
    employee.user.is_active = False
    employee.user.save()
    assert client.get("/orders").status_code == 401

    employee.user.is_active = True
    employee.user.save()
    assert client.get("/orders").status_code == 200
    employee.delete()
    assert client.get("/orders").status_code == 401


def test_the_time_of_use_is_written_at_most_every_few_minutes(employee):
    issued = api_token_create(user=employee.user, name="ERP")
    client = ApiClient(HttpClient(), issued.key)
    client.get("/orders")
    first = ApiToken.objects.get().last_used_at
    client.get("/orders")
    assert ApiToken.objects.get().last_used_at == first

    earlier = timezone.now() - datetime.timedelta(hours=1)
    ApiToken.objects.update(last_used_at=earlier)
    client.get("/orders")
    latest = ApiToken.objects.get().last_used_at
    assert latest is not None and latest > earlier


def test_each_token_answers_as_its_own_user():
    first, second = EmployeeFactory(), EmployeeFactory()
    for employee in (first, second):
        key = api_token_create(user=employee.user, name="ERP").key
        detail = ApiClient(HttpClient(), key).post("/orders/1/email-drafts", {"type": "free"})
        # No order 1: but each token is accepted, as its own employee.
        assert detail.status_code == 404


def test_the_session_of_the_pages_works_and_writes_need_the_csrf_token(employee, order):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(employee.user)

    assert browser.get(f"{BASE}/orders/{order.pk}").status_code == 200

    url = f"{BASE}/orders/{order.pk}/email-drafts"
    refused = browser.post(url, '{"type": "free"}', content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    browser.get("/login/")  # sets the CSRF cookie, as any page does
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(url, '{"type": "free"}', content_type="application/json", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201


def test_without_session_or_token_a_write_is_401_not_a_csrf_error(order):
    response = HttpClient(enforce_csrf_checks=True).post(
        f"{BASE}/orders/{order.pk}/email-drafts", '{"type": "free"}', content_type="application/json"
    )
    assert response.status_code == 401


def test_a_token_needs_no_csrf_token(api, order):
    api.client = HttpClient(enforce_csrf_checks=True)
    assert api.post(f"/orders/{order.pk}/email-drafts", {"type": "free"}).status_code == 201


def test_a_logged_in_user_without_employee_is_not_authenticated(order):
    browser = HttpClient()
    browser.force_login(get_user_model().objects.create_user("visitor", password="x"))
    assert browser.get(f"{BASE}/orders").status_code == 401


def test_errors_answer_in_the_language_of_the_token_owner(order, company):
    company.email_enabled = False
    company.save()
    employee = EmployeeFactory(language="de", is_dispatcher=True)
    client = ApiClient(HttpClient(), api_token_create(user=employee.user, name="ERP").key)
    response = client.post(f"/orders/{order.pk}/email-drafts", {"type": "free"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Der E-Mail-Versand ist für die Firma deaktiviert."}
