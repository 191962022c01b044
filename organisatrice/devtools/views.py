"""The development sink's pages: what `make run`'s local SMTP server caught (routed in DEBUG only)."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from organisatrice.people.access import employee_required

from .sink import sink_message_path, sink_messages


@employee_required
def sink_list(request: HttpRequest) -> HttpResponse:
    return render(request, "devtools/mail_sink.html", {"messages_caught": sink_messages()})


@employee_required
def sink_message(request: HttpRequest, name: str) -> FileResponse:
    path = sink_message_path(name)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), content_type="message/rfc822", as_attachment=True, filename=path.name)
