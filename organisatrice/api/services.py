"""Writes of the API app: issuing, using and revoking bearer tokens."""

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.people.models import Employee
from organisatrice.people.selectors import employee_for_user

from .models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A recognisable start lets secret scanners and people spot a leaked token.
KEY_START = "oem_"
PREFIX_LENGTH = 12
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100
# Writing the time of use on every request would make each read a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class ApiTokenError(Exception):
    """A token operation that cannot be done; the message is written for the user."""


class IssuedToken(NamedTuple):
    token: ApiToken
    # The only time the token exists in clear: hand it over, it is not stored.
    key: str


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_expiry_check(expires_at: datetime.datetime | None) -> None:
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenError(_("La date d'expiration doit être dans le futur."))


@transaction.atomic
def api_token_create(*, user: "User", name: str, expires_at: datetime.datetime | None = None) -> IssuedToken:
    api_token_expiry_check(expires_at)
    name = " ".join(name.split())[:NAME_MAX_LENGTH] or "API"
    key = KEY_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=api_token_hash(key), expires_at=expires_at
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ApiTokenError(_("Ce jeton est déjà révoqué."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return locked


def api_tokens_revoke_for_user(*, user: "User") -> int:
    """Revokes every token of the user still in force (after a new password, or a deactivation)."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def api_token_authenticate(*, key: str) -> Employee | None:
    """The active employee behind a valid, unrevoked, unexpired token, or None; notes when the token was used."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(Q(expires_at=None) | Q(expires_at__gt=now), key_hash=api_token_hash(key), revoked_at=None)
        .first()
    )
    if token is None:
        return None
    employee = employee_for_user(token.user)
    if employee is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return employee
