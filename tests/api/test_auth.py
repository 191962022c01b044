"""Tokens: issued for an active employee, stored as a hash, usable, expiring, revocable (also by a new
password or a deactivation); password guessing locked out; and the session with CSRF."""

import datetime
import hashlib

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client as HttpClient
from django.test import RequestFactory
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


def test_a_token_stops_working_when_its_user_loses_the_employee(employee):
    issued = api_token_create(user=employee.user, name="ERP")
    client = ApiClient(HttpClient(), issued.key)
    assert client.get("/orders").status_code == 200
    employee.delete()
    assert client.get("/orders").status_code == 401


def test_deactivating_the_account_revokes_all_its_tokens_for_good(employee):
    tokens = [api_token_create(user=employee.user, name=name) for name in ("ERP", "Script")]
    other = api_token_create(user=EmployeeFactory().user, name="ERP")
    employee.user.is_active = False
    employee.user.save()

    for issued in tokens:
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is not None
    # Switched on again, the account needs new tokens: the old ones may have leaked meanwhile.
    employee.user.is_active = True
    employee.user.save()
    for issued in tokens:
        assert ApiClient(HttpClient(), issued.key).get("/orders").status_code == 401
    assert ApiClient(HttpClient(), other.key).get("/orders").status_code == 200


def test_a_new_password_revokes_all_tokens_of_the_user(employee):
    issued = api_token_create(user=employee.user, name="ERP")
    other = api_token_create(user=EmployeeFactory().user, name="ERP")
    client = ApiClient(HttpClient(), issued.key)
    assert client.get("/orders").status_code == 200

    user = get_user_model().objects.get(pk=employee.user.pk)
    user.set_password("a new secret, at last")
    user.save()

    assert client.get("/orders").status_code == 401
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert ApiClient(HttpClient(), other.key).get("/orders").status_code == 200


def test_other_changes_to_the_user_keep_the_tokens(employee):
    issued = api_token_create(user=employee.user, name="ERP")
    user = get_user_model().objects.get(pk=employee.user.pk)
    user.first_name = "Renée"
    user.save()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    # Logging in with the password, as the pages and POST /auth/token do.
    assert authenticate(RequestFactory().post("/login/"), username=user.username, password="demo") is not None

    assert ApiClient(HttpClient(), issued.key).get("/orders").status_code == 200


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1000


def test_a_password_rehashed_by_a_newer_hasher_keeps_the_tokens(settings, employee):
    # After a Django upgrade, the first login stores the same password under the new hasher:
    # the integrations of that user must not all stop on that day.
    issued = api_token_create(user=employee.user, name="ERP")
    old_hash = get_user_model().objects.get(pk=employee.user.pk).password
    settings.PASSWORD_HASHERS = [f"{__name__}.QuickPBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]

    assert authenticate(RequestFactory().post("/login/"), username=employee.user.username, password="demo")

    assert get_user_model().objects.get(pk=employee.user.pk).password != old_hash
    assert ApiClient(HttpClient(), issued.key).get("/orders").status_code == 200


def test_a_token_may_expire(anonymous, employee):
    later = (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)
    response = anonymous.post(
        "/auth/token",
        {"username": employee.user.username, "password": "demo", "name": "ERP", "expires_at": later.isoformat()},
    )
    assert response.status_code == 201
    body = response.json()
    assert datetime.datetime.fromisoformat(body["expires_at"]) == later
    assert ApiToken.objects.get().expires_at == later
    client = ApiClient(HttpClient(), body["token"])
    assert client.get("/orders").status_code == 200

    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get("/orders")
    assert expired.status_code == 401
    assert expired.json() == {"detail": "Authentification requise : en-tête « Authorization: Bearer <jeton> »."}


def test_without_an_expiry_a_token_lasts_until_revoked(anonymous, employee):
    response = anonymous.post("/auth/token", {"username": employee.user.username, "password": "demo"})
    assert response.status_code == 201
    assert response.json()["expires_at"] is None
    assert ApiToken.objects.get().expires_at is None


def test_an_expiry_in_the_past_is_refused(anonymous, employee):
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    response = anonymous.post(
        "/auth/token",
        {"username": employee.user.username, "password": "demo", "expires_at": earlier.isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "expires_at", "message": "La date d'expiration doit être dans le futur."}
    ]
    assert not ApiToken.objects.exists()


def wrong_tries(client: ApiClient, username: str, count: int) -> list[int]:
    return [client.post("/auth/token", {"username": username, "password": "wrong"}).status_code for _ in range(count)]


def test_five_wrong_passwords_lock_the_name_out_with_429(anonymous, employee):
    username = employee.user.username
    assert wrong_tries(anonymous, username, 5) == [401, 401, 401, 401, 429]

    locked = anonymous.post("/auth/token", {"username": username, "password": "demo"})
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "Trop de tentatives de connexion échouées : ce nom d'utilisateur est bloqué depuis votre adresse "
        "pendant 15 minutes. Réessayez plus tard, ou demandez à un administrateur de le débloquer."
    }
    assert int(locked["Retry-After"]) == 15 * 60
    assert not ApiToken.objects.exists()


def test_the_api_lock_holds_one_name_from_one_address(anonymous, employee):
    from axes.models import AccessAttempt

    colleague = EmployeeFactory()
    wrong_tries(anonymous, employee.user.username, 5)
    assert anonymous.post("/auth/token", {"username": employee.user.username, "password": "demo"}).status_code == 429

    same_address = anonymous.post("/auth/token", {"username": colleague.user.username, "password": "demo"})
    assert same_address.status_code == 201
    elsewhere = ApiClient(HttpClient(REMOTE_ADDR="203.0.113.7"), None)
    assert elsewhere.post("/auth/token", {"username": employee.user.username, "password": "demo"}).status_code == 201

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert anonymous.post("/auth/token", {"username": employee.user.username, "password": "demo"}).status_code == 201


def test_pages_and_api_count_failures_together(anonymous, employee):
    pages = HttpClient()
    for _attempt in range(4):
        pages.post("/login/", {"username": employee.user.username, "password": "wrong"})
    assert wrong_tries(anonymous, employee.user.username, 1) == [429]


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
