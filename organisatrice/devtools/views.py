"""The development sink's pages: what `make run`'s local SMTP server caught (routed in DEBUG only)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from organisatrice.people.access import EmployeeRequest, employee_required

from .sink import sink_message_path, sink_messages


def may_see_every_email(request: HttpRequest) -> bool:
    """The sink holds every email of every order, Bcc included: what only the backoffice's archive shows.

    So it opens to the same people: superusers, and backoffice users with the Mail permission.
    The Mail permission alone would not do; it opens only the orders an employee may see.
    """
    user = request.user
    if user.is_superuser:
        return True
    employee = getattr(user, "employee", None)
    return user.is_staff and employee is not None and employee.mail_permission


def _sink_reader_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @employee_required
    @wraps(view)
    def wrapper(request: EmployeeRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_see_every_email(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@_sink_reader_required
def sink_list(request: EmployeeRequest) -> HttpResponse:
    return render(request, "devtools/mail_sink.html", {"messages_caught": sink_messages()})


@never_cache
@_sink_reader_required
def sink_message(request: EmployeeRequest, name: str) -> FileResponse:
    path = sink_message_path(name)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), content_type="message/rfc822", as_attachment=True, filename=path.name)
