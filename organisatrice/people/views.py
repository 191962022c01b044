from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import EmployeeRequest, employee_required
from .models import InterfaceLanguage
from .selectors import employee_for_user
from .services import employee_language_set

# A language chosen on the login page, in the session until the login it precedes.
LOGIN_LANGUAGE_SESSION_KEY = "language_chosen_at_login"


def _safe_next(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next", "") or default
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return default
    return next_url


def _language_cookie_set(response: HttpResponse, language: str) -> None:
    # The login page reads it (LocaleMiddleware), also after a logout.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


@require_POST
@employee_required
def language_set(request: EmployeeRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    response = redirect(_safe_next(request, "/"))
    if language in InterfaceLanguage.values:
        employee_language_set(employee=request.employee, language=language)
        _language_cookie_set(response, language)
    return response


@require_POST
def login_language_set(request: HttpRequest) -> HttpResponse:
    """The login page's language menu: the page switches now, and the login keeps the choice.

    An explicit choice, made just before logging in, is what the person wants: it becomes
    their profile's language (the profile otherwise wins over the browser's language).
    """
    language = request.POST.get("language", "")
    login_url = reverse("login")
    next_url = _safe_next(request, "")
    response = redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
    if language in InterfaceLanguage.values:
        request.session[LOGIN_LANGUAGE_SESSION_KEY] = language
        _language_cookie_set(response, language)
    return response


class LoginView(auth_views.LoginView):
    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        language = self.request.session.get(LOGIN_LANGUAGE_SESSION_KEY)
        response = super().form_valid(form)  # the login keeps the session's data
        self.request.session.pop(LOGIN_LANGUAGE_SESSION_KEY, None)
        employee = employee_for_user(self.request.user)
        if employee is not None and language in InterfaceLanguage.values:
            employee_language_set(employee=employee, language=language)
        return response
