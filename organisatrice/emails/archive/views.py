"""The archive of sent emails: read-only pages, downloads, internal notes, retry and cancel.

No answer here is kept by a browser or proxy cache: they show what was sent to clients.
"""

import email as email_package
import email.policy

import nh3
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organisatrice.content_store import blob_read
from organisatrice.orders.selectors import order_get_for_user
from organisatrice.people.access import EmployeeRequest, employee_required

from ..downloads import sent_attachment_download, sent_message_download
from ..errors import InputInvalid
from ..models import OutgoingEmail
from ..outbox import services as outbox
from ..policy import can_send
from . import selectors, services


@require_GET
@never_cache
@employee_required
def order_emails(request: EmployeeRequest, pk: int) -> HttpResponse:
    order = order_get_for_user(employee=request.employee, pk=pk)
    emails = selectors.order_emails_for_user(employee=request.employee, order=order)
    return render(request, "emails/order_emails.html", {"order": order, "emails": emails})


def _detail(
    request: EmployeeRequest, sent: OutgoingEmail, *, note_text: str = "", note_error: str = "", status: int = 200
) -> HttpResponse:
    may_send = can_send(employee=request.employee, order=sent.order)
    raw = blob_read(sent.raw_sha256)
    parsed = email_package.message_from_bytes(raw, policy=email.policy.default)
    headers = [(name, str(value)) for name, value in parsed.items()]
    return render(
        request,
        "emails/email_detail.html",
        {
            "email": sent,
            "order": sent.order,
            "headers": headers,
            # What the recipient's client would render, without scripts or remote content.
            "safe_html": nh3.clean(sent.html_body, tags=nh3.ALLOWED_TAGS - {"img"}),
            "attachments": sent.attachments.all(),
            "attempts": sent.attempts.all(),
            "notes": sent.notes.select_related("author"),
            "can_cancel": may_send and outbox.outbox_can_cancel(email=sent),
            "can_retry": may_send and outbox.outbox_can_retry(email=sent),
            "note_text": note_text,
            "note_error": note_error,
        },
        status=status,
    )


@require_GET
@never_cache
@employee_required
def email_detail(request: EmployeeRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.outgoing_email_get_for_user(employee=request.employee, pk=pk))


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
