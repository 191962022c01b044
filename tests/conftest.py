import pytest
from django.test import Client as HttpClient

from organisatrice.people.models import Employee

from .factories import EmployeeFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def employee(db) -> Employee:
    return EmployeeFactory()


@pytest.fixture
def logged_in(client: HttpClient, employee: Employee) -> HttpClient:
    client.force_login(employee.user)
    return client
