"""Who is calling: a bearer token, or the session of the pages (with its CSRF check).

Both give the active Employee, which endpoints read with `caller(request)`.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from organisatrice.people.models import Employee
from organisatrice.people.selectors import employee_for_user

from .services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Employee | None:
        employee = api_token_authenticate(key=token.strip())
        if employee is not None and employee.language:
            # A token has no session for the language middleware to read: answer in the
            # language of the employee's profile, as the pages do.
            translation.activate(employee.language)
            request.LANGUAGE_CODE = employee.language
        return employee


class SessionCsrfAuth(APIKeyCookie):
    """The pages' session. Unlike ninja's SessionAuth, a request without a session is simply
    not authenticated by it (401, not a CSRF 403); with one, writes need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("Vérification CSRF échouée : envoyez l'en-tête X-CSRFToken."))
        return request.COOKIES.get(self.param_name) or ""

    def authenticate(self, request: HttpRequest, key: str | None) -> Employee | None:
        if key is None:
            return None
        return employee_for_user(request.user)


def caller(request: HttpRequest) -> Employee:
    employee: Any = getattr(request, "auth", None)
    assert isinstance(employee, Employee), "an endpoint without authentication asked for its caller"
    return employee
