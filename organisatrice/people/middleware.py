from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .selectors import _request_company, company_settings_get, employee_for_user


class EmployeeLanguageMiddleware:
    """Switches the interface to the language chosen in the employee's profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        employee = employee_for_user(request.user)
        if employee is not None and employee.language:
            translation.activate(employee.language)
            request.LANGUAGE_CODE = employee.language
        response = self.get_response(request)
        if employee is not None:
            response.headers.setdefault("Content-Language", employee.language)
        return response


class CompanySettingsMiddleware:
    """Reads the company's settings once per request (see company_settings_get)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_company.set(None)
        try:
            _request_company.set(company_settings_get())
            return self.get_response(request)
        finally:
            _request_company.reset(token)
