"""The language chosen on the login page is the one the person gets after logging in, and keeps.

Without a choice there, the profile's language wins over the browser's; the top bar's menu
changes the profile. A choice made on the login page is the latest thing the person said.
"""

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from organisatrice.people.models import Employee
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def _heading_language(client: HttpClient) -> str:
    content = client.get(reverse("orders:list")).content.decode()
    return {"Commandes": "fr", "Aufträge": "de", "Orders": "en"}[content.split("<h1>")[1].split("</h1>")[0]]


def _log_in(client: HttpClient, employee: Employee) -> None:
    response = client.post(reverse("login"), {"username": employee.user.username, "password": "demo"})
    assert response.status_code == 302


def test_the_login_page_has_a_labelled_language_menu_and_switches_at_once():
    client = HttpClient()
    page = client.get(reverse("login")).content.decode()
    assert '<label for="login-language">Langue</label>' in page

    response = client.post(reverse("login_language"), {"language": "de", "next": "/orders/"})

    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Forders%2F"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert "Anmelden" in client.get(response["Location"]).content.decode()


def test_the_language_chosen_on_the_login_page_wins_over_the_profile_and_sticks():
    employee = EmployeeFactory(language="fr")
    client = HttpClient()
    client.post(reverse("login_language"), {"language": "de"})

    _log_in(client, employee)

    assert _heading_language(client) == "de"
    employee.refresh_from_db()
    assert employee.language == "de"
    # The next login, without a choice on the login page, keeps it.
    client.post(reverse("logout"))
    other_browser = HttpClient()
    _log_in(other_browser, employee)
    assert _heading_language(other_browser) == "de"


def test_without_a_choice_on_the_login_page_the_profile_wins_over_the_browser():
    employee = EmployeeFactory(language="en")
    client = HttpClient(headers={"accept-language": "de"})
    assert "Anmelden" in client.get(reverse("login")).content.decode()

    _log_in(client, employee)

    assert _heading_language(client) == "en"
    employee.refresh_from_db()
    assert employee.language == "en"


def test_a_shared_computer_does_not_hand_one_persons_choice_to_the_next():
    first, second = EmployeeFactory(language="fr"), EmployeeFactory(language="en")
    client = HttpClient()
    client.post(reverse("login_language"), {"language": "de"})
    _log_in(client, first)
    client.post(reverse("logout"))

    _log_in(client, second)

    # The login page still speaks German (the cookie), but nobody chose it for this login.
    assert _heading_language(client) == "en"
    second.refresh_from_db()
    assert second.language == "en"


def test_a_failed_login_keeps_the_choice_for_the_next_attempt():
    employee = EmployeeFactory(language="fr")
    client = HttpClient()
    client.post(reverse("login_language"), {"language": "en"})
    client.post(reverse("login"), {"username": employee.user.username, "password": "wrong"})

    _log_in(client, employee)

    assert _heading_language(client) == "en"


@pytest.mark.parametrize(
    "data",
    [{"language": "xx"}, {"language": "de", "next": "https://evil.example/"}, {"language": "it"}],
)
def test_unknown_languages_and_foreign_redirects_are_refused(data):
    client = HttpClient()
    response = client.post(reverse("login_language"), data)

    assert response["Location"] == "/login/"
    if data["language"] != "de":
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_menu_needs_the_login_pages_csrf_token():
    client = HttpClient(enforce_csrf_checks=True)
    assert client.post(reverse("login_language"), {"language": "de"}).status_code == 403


def test_the_top_bar_menu_also_sets_the_login_pages_language(logged_in):
    response = logged_in.post(reverse("language_set"), {"language": "en", "next": "/orders/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
