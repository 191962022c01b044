"""What a name locked out by django-axes (too many failed logins, see config/settings/base.py) is told:
the lockout page of /login/ and /backoffice/login/, and the message of the API's 429."""

import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOCKED_OUT_STATUS = 429


def client_address(request: HttpRequest) -> str:
    """The address failed logins are counted by (AXES_CLIENT_IP_CALLABLE).

    Each trusted proxy appends the address it received from to X-Forwarded-For, so the
    entry TRUSTED_PROXY_COUNT from the end is the client as the outermost proxy saw it;
    anything before it was written by the client and proves nothing.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _cool_off_minutes(request: HttpRequest | None) -> int:
    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = _cool_off_minutes(request)
    return ngettext(
        "Trop de tentatives de connexion échouées : ce nom d'utilisateur est bloqué depuis votre adresse "
        "pendant %(minutes)d minute. Réessayez plus tard, ou demandez à un administrateur de le débloquer.",
        "Trop de tentatives de connexion échouées : ce nom d'utilisateur est bloqué depuis votre adresse "
        "pendant %(minutes)d minutes. Réessayez plus tard, ou demandez à un administrateur de le débloquer.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, *args: Any) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to a login attempt of a locked-out name."""
    if isinstance(original_response, HttpResponse) and original_response.status_code == LOCKED_OUT_STATUS:
        # The API has already answered in its own shape (organisatrice/api/tokens/router.py).
        response = original_response
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message(request), "retry_url": request.get_full_path()},
            status=LOCKED_OUT_STATUS,
        )
    response["Retry-After"] = str(_cool_off_minutes(request) * 60)
    return response
