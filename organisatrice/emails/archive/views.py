"""The archive of sent emails: read-only pages, downloads, internal notes, retry and cancel.

No answer here is kept by a browser or proxy cache: they show what was sent to clients.
"""

import email as email_package
import email.policy
import re
from typing import Any

import nh3
from csp.decorators import csp
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from organisatrice.content_store import blob_read
from organisatrice.orders.selectors import order_get_for_user
from organisatrice.people.access import EmployeeRequest, employee_required

from ..downloads import sent_attachment_download, sent_message_download
from ..errors import InputInvalid
from ..models import OutgoingEmail
from ..outbox import services as outbox
from ..policy import can_send, ensure_can_read_archive
from . import selectors, services

# The sent HTML's own answer: its inline styles (any, as written when it was sent), nothing
# else; sandboxed even if opened outside the page's frame, and framed only by our pages.
SENT_HTML_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": [True],
}


@require_GET
@never_cache
@employee_required
def order_emails(request: EmployeeRequest, pk: int) -> HttpResponse:
    order = order_get_for_user(employee=request.employee, pk=pk)
    if request.htmx and request.GET.get("part") == "order-page":  # type: ignore[attr-defined]
        # The order page's list, asked for again while one of its emails is still on its way.
        ensure_can_read_archive(employee=request.employee, order=order)
        return render(
            request, "emails/_order_emails.html", selectors.order_page_emails(employee=request.employee, order=order)
        )
    emails = selectors.order_emails_for_user(employee=request.employee, order=order)
    return render(request, "emails/order_emails.html", {"order": order, "emails": emails})


def _live_context(request: EmployeeRequest, sent: OutgoingEmail) -> dict[str, Any]:
    """What the changing part of the page shows: status, actions, delivery facts, attempts."""
    may_send = can_send(employee=request.employee, order=sent.order)
    return {
        "email": sent,
        "order": sent.order,
        "in_progress": sent.status in selectors.STATUSES_STILL_MOVING,
        "attachments": sent.attachments.all(),
        "attempts": sent.attempts.all(),
        "can_cancel": may_send and outbox.outbox_can_cancel(email=sent),
        "can_retry": may_send and outbox.outbox_can_retry(email=sent),
    }


def _detail(
    request: EmployeeRequest, sent: OutgoingEmail, *, note_text: str = "", note_error: str = "", status: int = 200
) -> HttpResponse:
    raw = blob_read(sent.raw_sha256)
    parsed = email_package.message_from_bytes(raw, policy=email.policy.default)
    headers = [(name, str(value)) for name, value in parsed.items()]
    return render(
        request,
        "emails/email_detail.html",
        {
            **_live_context(request, sent),
            "headers": headers,
            "notes": sent.notes.select_related("author"),
            "note_text": note_text,
            "note_error": note_error,
        },
        status=status,
    )


@require_GET
@never_cache
@employee_required
def email_detail(request: EmployeeRequest, pk: int) -> HttpResponse:
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    if request.htmx:  # type: ignore[attr-defined]
        # The page polling its changing part; the part it gets back polls no more once final.
        return render(request, "emails/_email_live.html", _live_context(request, sent))
    return _detail(request, sent)


@require_GET
@never_cache
@xframe_options_sameorigin
@csp(SENT_HTML_POLICY)
@employee_required
def email_html(request: EmployeeRequest, pk: int) -> HttpResponse:
    """The HTML body as sent, for the page's sandboxed frame: its own styles apply, nothing else.

    The stored bytes are what the client got; they are cleaned of what a mail client would
    not run either (scripts, forms, remote images), and the policy of this answer lets no
    script run and nothing load from anywhere, whatever got through.
    """
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    return HttpResponse(_as_sent_document(sent.html_body), content_type="text/html; charset=utf-8")


def _as_sent_document(html: str) -> str:
    # nh3 cleans fragments and drops <html> and <body>, with the language and the styles
    # they carry (the body's font): they go through it as divs.
    fragment = re.sub(r"<(/?)(?:html|body)\b", r"<\1div", html, flags=re.IGNORECASE)
    cleaned = nh3.clean(
        fragment,
        tags=nh3.ALLOWED_TAGS - {"img"},
        clean_content_tags={"head", "title", "script", "style"},
        attributes={**nh3.ALLOWED_ATTRIBUTES, "*": {"style", "lang", "dir"}},
    )
    return f'<!DOCTYPE html>\n<meta charset="utf-8">\n{cleaned}'


@require_GET
@never_cache
@employee_required
def email_raw(request: EmployeeRequest, pk: int) -> HttpResponse:
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    return sent_message_download(sent)


@require_GET
@never_cache
@employee_required
def email_attachment(request: EmployeeRequest, pk: int, position: int) -> HttpResponse:
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    attachment = get_object_or_404(sent.attachments, position=position)
    return sent_attachment_download(attachment)


@require_POST
@never_cache
@employee_required
def email_note_add(request: EmployeeRequest, pk: int) -> HttpResponse:
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    text = request.POST.get("text", "")
    try:
        services.email_note_add(email=sent, author=request.employee, text=text)
    except InputInvalid as error:
        # The refused text is shown again in the form, not thrown away.
        return _detail(request, sent, note_text=text, note_error=str(error), status=400)
    messages.success(request, _("Note ajoutée."))
    return redirect("emails:detail", pk=sent.pk)


@require_POST
@never_cache
@employee_required
def email_retry(request: EmployeeRequest, pk: int) -> HttpResponse:
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    _transition(request, sent, retry=True)
    return redirect("emails:detail", pk=sent.pk)


@require_POST
@never_cache
@employee_required
def email_cancel(request: EmployeeRequest, pk: int) -> HttpResponse:
    sent = selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk)
    _transition(request, sent, retry=False)
    return redirect("emails:detail", pk=sent.pk)


def _transition(request: EmployeeRequest, sent: OutgoingEmail, *, retry: bool) -> None:
    try:
        if retry:
            outbox.outbox_retry(email=sent, actor=request.employee)
            messages.success(request, _("L'eMail est remis en file d'envoi (même Message-ID)."))
        else:
            outbox.outbox_cancel(email=sent, actor=request.employee)
            messages.success(request, _("L'envoi est annulé."))
    except outbox.OutboxError as error:
        messages.error(request, str(error))
