"""The development sink's page: what `make run`'s local SMTP server caught. DEBUG only."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from organisatrice.people.access import employee_required

from .devsink import sink_message_path, sink_messages


def _debug_only() -> None:
    if not settings.DEBUG:
        raise Http404


@employee_required
def sink_list(request: HttpRequest) -> HttpResponse:
    _debug_only()
    return render(request, "emails/dev_sink.html", {"messages_caught": sink_messages()})


@employee_required
def sink_message(request: HttpRequest, name: str) -> FileResponse:
    _debug_only()
    path = sink_message_path(name)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), content_type="message/rfc822", as_attachment=True, filename=path.name)
