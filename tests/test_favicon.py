"""The product's icon: named by every page, and there for the clients that ask /favicon.ico."""

import pytest
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")


def test_the_pages_and_the_backoffice_name_the_icon(client, employee):
    employee.user.is_staff = True
    employee.user.save()
    client.force_login(employee.user)
    link = f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">'

    assert link in client.get(reverse("login")).content.decode()
    assert link in client.get(reverse("orders:list")).content.decode()
    assert link in client.get(reverse("admin:index")).content.decode()
