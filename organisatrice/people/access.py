from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .models import Employee
from .selectors import employee_for_user


class EmployeeRequest(HttpRequest):
    employee: Employee


def employee_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Logged-in users only; a user with no employee profile is refused."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        employee = employee_for_user(request.user)
        if employee is None:
            raise PermissionDenied("Ce compte n'est lié à aucun collaborateur.")
        request.employee = employee  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
