"""The OpenAPI schema and the interactive docs, which work offline (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/orders"),
    ("get", "/api/v1/orders/{order_id}"),
    ("get", "/api/v1/email-templates"),
    ("post", "/api/v1/orders/{order_id}/email-drafts"),
    ("get", "/api/v1/email-drafts/{draft_id}"),
    ("patch", "/api/v1/email-drafts/{draft_id}"),
    ("delete", "/api/v1/email-drafts/{draft_id}"),
    ("post", "/api/v1/email-drafts/{draft_id}/attachments"),
    ("get", "/api/v1/email-drafts/{draft_id}/preview"),
    ("post", "/api/v1/email-drafts/{draft_id}/send"),
    ("get", "/api/v1/orders/{order_id}/emails"),
    ("get", "/api/v1/emails/{email_id}"),
    ("get", "/api/v1/emails/{email_id}/raw"),
    ("get", "/api/v1/emails/{email_id}/attachments/{position}"),
    ("post", "/api/v1/emails/{email_id}/notes"),
    ("post", "/api/v1/emails/{email_id}/retry"),
    ("post", "/api/v1/emails/{email_id}/cancel"),
    ("get", "/api/v1/me/sent-copy"),
    ("put", "/api/v1/me/sent-copy"),
    ("delete", "/api/v1/me/sent-copy"),
}


@pytest.fixture
def schema() -> dict:
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_openapi_3_with_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Organisatrice eMail"
    found = {(method, path) for path, operations in schema["paths"].items() for method in operations}
    assert found == ENDPOINTS


def test_every_endpoint_but_the_token_needs_authentication_and_documents_its_errors(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionCsrfAuth"]["in"] == "cookie"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "422"} <= set(operation["responses"]), (method, path)
            if path == "/api/v1/auth/token":
                assert "security" not in operation
            else:
                assert {"BearerTokenAuth": []} in operation["security"]
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                assert "400" in operation["responses"], (method, path)


def test_the_docs_use_the_swagger_files_served_by_the_app(schema):
    page = HttpClient().get("/api/v1/docs")

    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert "/static/ninja/swagger-ui.css" in sources
    assert all(source.startswith("/") for source in sources), sources
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name
