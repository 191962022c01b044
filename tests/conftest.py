import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.utils import translation

from organisatrice.people.models import CompanySettings, Employee
from organisatrice.people.selectors import company_settings_get

from .factories import EmployeeFactory

# Real mail servers (Dovecot…) as fixtures for every test folder.
pytest_plugins = ["tests.servers.fixtures"]


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    # Modules marked shared_media seed the demo photo pool once and keep it for all their tests.
    if request.node.get_closest_marker("shared_media"):
        settings.MEDIA_ROOT = request.getfixturevalue("_module_media")
    else:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    # A request in an employee's language leaves it active in the thread: each test starts in French.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def company(db) -> CompanySettings:
    company = company_settings_get()
    company.name = "Dupont Technique SA"
    company.sending_address = "noreply@dupont-sa.ch"
    company.sending_domain = "dupont-sa.ch"
    company.save()
    return company


@pytest.fixture
def employee(db) -> Employee:
    return EmployeeFactory()


@pytest.fixture
def logged_in(client: HttpClient, employee: Employee) -> HttpClient:
    client.force_login(employee.user)
    return client
