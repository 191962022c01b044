"""Password guessing on the login pages: after a few failures a name is locked out from that address."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client as HttpClient
from django.utils import timezone

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

LOCKED = "Trop de tentatives de connexion échouées"
WRONG = "Nom d'utilisateur ou mot de passe incorrect."
PAGES = ["/login/", "/backoffice/login/"]


@pytest.fixture
def staff_employee(db):
    employee = EmployeeFactory()
    employee.user.is_staff = True
    employee.user.save()
    return employee


def log_in(client: HttpClient, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password})


def logged_in(client: HttpClient) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", PAGES)
def test_five_wrong_passwords_lock_the_name_out_with_a_clear_message(staff_employee, url):
    client = HttpClient()
    username = staff_employee.user.username
    for _attempt in range(4):
        response = log_in(client, url, username, "wrong")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()

    fifth = log_in(client, url, username, "wrong")
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert LOCKED in page and "15 minutes" in page
    assert int(fifth["Retry-After"]) == 15 * 60

    # The right password does not get through while the lock lasts.
    sixth = log_in(client, url, username, "demo")
    assert sixth.status_code == 429
    assert LOCKED in sixth.content.decode()
    assert not logged_in(client)


@pytest.mark.parametrize("url", PAGES)
def test_the_lock_holds_one_name_from_one_address_and_ends_after_the_cool_off(staff_employee, url):
    locked_name = staff_employee.user.username
    colleague = EmployeeFactory()
    colleague.user.is_staff = True
    colleague.user.save()
    office = HttpClient()
    for _attempt in range(5):
        log_in(office, url, locked_name, "wrong")
    assert log_in(office, url, locked_name, "demo").status_code == 429

    # A colleague behind the same address is not locked out by someone else's typing…
    colleague_client = HttpClient()
    assert log_in(colleague_client, url, colleague.user.username, "demo").status_code == 302
    assert logged_in(colleague_client)
    # …nor is the owner of the name, from elsewhere.
    elsewhere = HttpClient(REMOTE_ADDR="203.0.113.7")
    assert log_in(elsewhere, url, locked_name, "demo").status_code == 302

    # Trying again during the lock does not make it last longer than announced.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=10))
    assert log_in(office, url, locked_name, "demo").status_code == 429
    assert log_in(office, url, locked_name, "wrong").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=6))
    assert log_in(office, url, locked_name, "demo").status_code == 302
    assert logged_in(office)


def test_a_successful_login_forgets_the_earlier_typing_mistakes(staff_employee):
    client = HttpClient()
    username = staff_employee.user.username
    for _attempt in range(4):
        assert WRONG in log_in(client, "/login/", username, "wrong").content.decode()
    assert log_in(client, "/login/", username, "demo").status_code == 302
    client.logout()

    for _attempt in range(4):
        assert log_in(client, "/login/", username, "wrong").status_code == 200
    assert log_in(client, "/login/", username, "demo").status_code == 302
    # And the lock still comes after five failures in a row.
    client.logout()
    answers = [log_in(client, "/login/", username, "wrong").status_code for _attempt in range(5)]
    assert answers == [200, 200, 200, 200, 429]


def test_the_lockout_page_speaks_the_language_of_the_browser(staff_employee):
    client = HttpClient(headers={"Accept-Language": "de"})
    for _attempt in range(5):
        response = log_in(client, "/login/", staff_employee.user.username, "wrong")
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()


def test_force_login_of_the_tests_is_never_locked_out(staff_employee):
    for _attempt in range(5):
        log_in(HttpClient(), "/login/", staff_employee.user.username, "wrong")
    client = HttpClient()
    client.force_login(get_user_model().objects.get(pk=staff_employee.user.pk))
    assert client.get("/orders/").status_code == 200


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(staff_employee, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    username = staff_employee.user.username
    # Everyone arrives from the proxy's address; the proxy appends the client's to X-Forwarded-For.
    attacker = HttpClient(REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "198.51.100.9"})
    for _attempt in range(5):
        log_in(attacker, "/login/", username, "wrong")
    assert log_in(attacker, "/login/", username, "demo").status_code == 429

    # A forged entry before the proxy's own does not give the attacker a fresh address…
    forging = HttpClient(REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "192.0.2.1, 198.51.100.9"})
    assert log_in(forging, "/login/", username, "demo").status_code == 429
    # …and the owner, elsewhere behind the same proxy, is not locked out by the attacker.
    owner = HttpClient(REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "203.0.113.7"})
    assert log_in(owner, "/login/", username, "demo").status_code == 302
