"""Tokens in the backoffice and through `manage.py api_token`: create (shown once), list, revoke."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse

from organisatrice.api.models import ApiToken
from organisatrice.api.services import api_token_create, api_token_hash
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_creates_a_token_shown_once_that_works(employee):
    output = run("create", employee.user.username, "--name", "ERP Abacus")

    key = output.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.name == "ERP Abacus" and token.user == employee.user
    assert token.key_hash == api_token_hash(key)
    assert ApiClient(HttpClient(), key).get("/orders").status_code == 200
    assert key not in run("list")


def test_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="Aucun utilisateur"):
        run("create", "nobody")


def test_command_lists_active_tokens_and_with_all_the_revoked_ones(employee):
    kept = api_token_create(user=employee.user, name="ERP").token
    gone = api_token_create(user=employee.user, name="Ancien script").token
    run("revoke", str(gone.pk))

    listed = run("list")
    assert "ERP" in listed and f"{kept.prefix}…" in listed
    assert "Ancien script" not in listed
    everything = run("list", "--all")
    assert "Ancien script" in everything
    assert run("list", "--user", "someone-else") == "Aucun jeton.\n"


def test_command_revokes_by_number_or_by_the_start_of_the_token(employee):
    by_number = api_token_create(user=employee.user, name="A")
    by_prefix = api_token_create(user=employee.user, name="B")

    assert "révoqué" in run("revoke", str(by_number.token.pk))
    assert "révoqué" in run("revoke", by_prefix.key[:12] + "…")
    assert not ApiToken.objects.filter(revoked_at=None).exists()
    for issued in (by_number, by_prefix):
        assert ApiClient(HttpClient(), issued.key).get("/orders").status_code == 401
    with pytest.raises(CommandError, match="déjà révoqué"):
        run("revoke", str(by_number.token.pk))
    with pytest.raises(CommandError, match="Aucun jeton"):
        run("revoke", "9" * 40)


@pytest.fixture
def backoffice(db):
    client = HttpClient()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x"))
    return client


def test_backoffice_lists_tokens_without_their_secret(backoffice, employee):
    issued = api_token_create(user=employee.user, name="ERP")
    page = backoffice.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "ERP" in page and issued.token.prefix in page
    assert issued.key not in page and issued.token.key_hash not in page

    change = backoffice.get(reverse("admin:api_apitoken_change", args=[issued.token.pk]))
    assert change.status_code == 200
    assert issued.token.key_hash not in change.content.decode()


def test_backoffice_creates_a_token_and_shows_it_once(backoffice, employee):
    assert backoffice.get(reverse("admin:api_apitoken_add")).status_code == 200
    response = backoffice.post(
        reverse("admin:api_apitoken_add"), {"user": employee.user.pk, "name": "Intégration ERP"}, follow=True
    )

    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    [key] = [m.split(" : ")[1].split(" — ")[0] for m in shown if m.startswith("Jeton créé")]
    assert token.key_hash == api_token_hash(key) and token.name == "Intégration ERP"
    assert ApiClient(HttpClient(), key).get("/orders").status_code == 200
    assert key not in backoffice.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()


def test_backoffice_revokes_selected_tokens(backoffice, employee):
    issued = [api_token_create(user=employee.user, name=name) for name in ("A", "B")]
    response = backoffice.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued[0].token.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 jeton révoqué." in response.content.decode()
    assert ApiClient(HttpClient(), issued[0].key).get("/orders").status_code == 401
    assert ApiClient(HttpClient(), issued[1].key).get("/orders").status_code == 200
    # Revoked, never deleted: the list remembers who had access.
    assert ApiToken.objects.count() == 2
    assert backoffice.post(reverse("admin:api_apitoken_delete", args=[issued[0].token.pk])).status_code == 403
