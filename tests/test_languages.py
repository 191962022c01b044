"""The interface speaks the employee's language, chosen in the top bar."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "heading"), [("fr", "Commandes"), ("de", "Aufträge"), ("en", "Orders")])
def test_each_employee_sees_their_language(client, employee, language, heading):
    employee.language = language
    employee.save()
    client.force_login(employee.user)
    response = client.get(reverse("orders:list"))
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert response["Content-Language"] == language


def test_the_language_switch_is_kept_in_the_profile(client, employee):
    client.force_login(employee.user)
    response = client.post(reverse("language_set"), {"language": "de", "next": "/orders/"})
    assert response.status_code == 302 and response.url == "/orders/"
    employee.refresh_from_db()
    assert employee.language == "de"
    assert "<h1>Aufträge</h1>" in client.get(reverse("orders:list")).content.decode()


def test_the_language_switch_refuses_unknown_languages_and_foreign_redirects(client, employee):
    client.force_login(employee.user)
    response = client.post(reverse("language_set"), {"language": "xx", "next": "https://evil.example/"})
    assert response.url == "/"
    employee.refresh_from_db()
    assert employee.language == "fr"
