"""Tokens in the backoffice and through `manage.py api_token`: create (shown once, maybe expiring; for
others only by a superuser), list, revoke."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from organisatrice.api.models import ApiToken
from organisatrice.api.services import api_token_create, api_token_hash
from tests.api.conftest import ApiClient
from tests.factories import EmployeeFactory

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


def test_command_creates_a_token_that_expires_after_some_days(employee):
    output = run("create", employee.user.username, "--name", "Prestataire", "--days", "30")

    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)
    assert "expire le" in output
    assert timezone.localtime(token.expires_at).strftime("%d.%m.%Y") in run("list")
    with pytest.raises(CommandError, match="au moins 1"):
        run("create", employee.user.username, "--days", "0")


def test_backoffice_creates_a_token_with_an_expiry(backoffice, employee):
    later = timezone.localtime() + datetime.timedelta(days=7)
    response = backoffice.post(
        reverse("admin:api_apitoken_add"),
        {
            "user": employee.user.pk,
            "name": "Prestataire",
            "expires_at_0": later.strftime("%d/%m/%Y"),
            "expires_at_1": "18:00:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at).replace(tzinfo=None) == later.replace(
        hour=18, minute=0, second=0, microsecond=0, tzinfo=None
    )

    past = backoffice.post(
        reverse("admin:api_apitoken_add"),
        {"user": employee.user.pk, "name": "Vieux", "expires_at_0": "01/01/2020", "expires_at_1": "12:00:00"},
    )
    assert past.status_code == 200
    assert "La date d&#x27;expiration doit être dans le futur." in past.content.decode()
    assert ApiToken.objects.count() == 1


@pytest.fixture
def token_clerk(db):
    """Staff whose only rights on tokens are to add and see them."""
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="api", codename__in=["add_apitoken", "view_apitoken"])
    )
    EmployeeFactory(user=user)
    client = HttpClient()
    client.force_login(user)
    return user, client


def test_staff_who_are_not_superusers_create_tokens_only_for_themselves(token_clerk, employee):
    clerk, client = token_clerk
    dispatcher = EmployeeFactory(is_dispatcher=True, is_technician=False)
    boss = get_user_model().objects.create_superuser("boss", password="x")

    form = client.get(reverse("admin:api_apitoken_add"))
    assert form.status_code == 200
    assert 'name="user"' not in form.content.decode()

    for victim in (dispatcher.user, boss, employee.user):
        response = client.post(reverse("admin:api_apitoken_add"), {"user": victim.pk, "name": "Pour un autre"})
        assert response.status_code == 302
    assert not ApiToken.objects.exclude(user=clerk).exists()
    assert ApiToken.objects.filter(user=clerk).count() == 3


def test_a_superuser_picks_whose_token_it_is(backoffice, employee):
    form = backoffice.get(reverse("admin:api_apitoken_add"))
    assert 'name="user"' in form.content.decode()
    backoffice.post(reverse("admin:api_apitoken_add"), {"user": employee.user.pk, "name": "ERP"})
    assert ApiToken.objects.get().user == employee.user


def test_a_password_changed_in_the_backoffice_revokes_the_tokens(backoffice, employee):
    issued = api_token_create(user=employee.user, name="ERP")
    response = backoffice.post(
        reverse("admin:auth_user_password_change", args=[employee.user.pk]),
        {"password1": "Un nouveau secret 42", "password2": "Un nouveau secret 42"},
    )
    assert response.status_code == 302
    assert ApiClient(HttpClient(), issued.key).get("/orders").status_code == 401
