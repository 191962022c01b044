"""Fixtures for the API tests: a client that speaks JSON with a bearer token, and an order to email from."""

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from organisatrice.api.services import api_token_create
from organisatrice.people.models import Employee

# The real SMTP server of the email tests, for the end-to-end test.
from tests.emails.conftest import smtp_server, smtp_settings  # noqa: F401
from tests.factories import BuildingFactory, ContactFactory, OfferLineFactory, OrderFactory, WorkReportLineFactory

BASE = "/api/v1"


class ApiClient:
    """Django's test client, with the API's base path, a bearer token and JSON bodies."""

    def __init__(self, client: HttpClient, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self.headers)

    def _send(self, method: str, path: str, body: Any) -> Any:
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(BASE + path, data, content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self.headers)

    def upload(self, path: str, files: dict[str, Any]) -> Any:
        return self.client.post(BASE + path, files, headers=self.headers)


def api_for(employee: Employee) -> ApiClient:
    return ApiClient(HttpClient(), api_token_create(user=employee.user, name="tests").key)


@pytest.fixture
def api(employee) -> ApiClient:
    return api_for(employee)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(HttpClient(), None)


@pytest.fixture
def order(employee, company):
    """An order the `employee` is responsible for: a building, two contacts, a work report and an offer."""
    building = BuildingFactory(name="Les Érables")
    order = OrderFactory(client=building.client, buildings=[building], number="2026-00042", responsible=employee)
    WorkReportLineFactory(report__order=order, employee=employee, description="Purge du circuit")
    OfferLineFactory(offer__order=order)
    ContactFactory(client=order.client, first_name="Anne", last_name="Favre", email="a.favre@gerance.ch")
    ContactFactory(
        client=None,
        building=building,
        salutation="mr",
        first_name="Hans",
        last_name="Keller",
        email="h.keller@verwaltung.ch",
        language="de",
    )
    return order
