"""The archive of sent emails: lists, details, the stored message and attachments, notes,
retry and cancel, as the archive pages offer them."""

import email as email_package
import email.policy

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from organisatrice.content_store import blob_read
from organisatrice.emails.archive import services as archive_services
from organisatrice.emails.archive.selectors import order_emails_for_user, outgoing_email_get_for_user
from organisatrice.emails.downloads import sent_attachment_download, sent_message_download
from organisatrice.emails.models import OutgoingEmail
from organisatrice.emails.outbox.machine import outbox_can_cancel, outbox_can_retry, outbox_cancel, outbox_retry
from organisatrice.emails.policy import can_send, ensure_can_send
from organisatrice.orders.selectors import order_get_for_user
from organisatrice.people.models import Employee

from ..auth import caller
from ..errors import responses
from ..pagination import paginate
from ..schemas import ConflictOut, EmailOut, EmailPageOut, Id, NoteIn, NoteOut, PageNumber, Position, SentOut
from .orders import employee_out

router = Router(tags=["eMails envoyés"])

CONFLICT = {409: ConflictOut}


def _binary(content_type: str, description: str) -> dict:
    # These answers are files, not JSON: say so in the schema.
    content = {content_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {"200": {"description": description, "content": content}}}


def email_summary_out(sent: OutgoingEmail) -> dict:
    return {
        "id": sent.pk,
        "order_id": sent.order_id,
        "created_at": sent.created_at,
        "sender": employee_out(sent.sender),
        "template_type": sent.template_type,
        "to": sent.to,
        "subject": sent.subject,
        "status": sent.status,
        "sent_at": sent.sent_at,
        "attempt_count": sent.attempt_count,
        "attachments": list(sent.attachments.all()),
    }


def email_out(sent: OutgoingEmail, *, employee: Employee) -> dict:
    parsed = email_package.message_from_bytes(blob_read(sent.raw_sha256), policy=email.policy.default)
    return {
        **email_summary_out(sent),
        "order_number": sent.order.number,
        "message_id": sent.message_id,
        "from_header": sent.from_header,
        "reply_to": sent.reply_to,
        "cc": sent.cc,
        "bcc": sent.bcc,
        "headers": [{"name": name, "value": str(value)} for name, value in parsed.items()],
        "text_body": sent.text_body,
        "html_body": sent.html_body,
        "sha256": sent.raw_sha256,
        "size": sent.raw_size,
        "next_attempt_at": sent.next_attempt_at,
        "smtp_reply": sent.smtp_reply,
        "failure_reason": sent.failure_reason,
        "attempts": list(sent.attempts.all()),
        "notes": [
            {"id": note.pk, "author": employee_out(note.author), "text": note.text, "created_at": note.created_at}
            for note in sent.notes.select_related("author")
        ],
        "can_retry": outbox_can_retry(email=sent) and can_send(employee=employee, order=sent.order),
        "can_cancel": outbox_can_cancel(email=sent),
    }


@router.get("/orders/{order_id}/emails", response=responses({200: EmailPageOut}, 403, 404))
def order_emails(request: HttpRequest, order_id: Id, page: PageNumber = 1) -> dict:
    """The emails sent from the order, newest first, 25 a page."""
    employee = caller(request)
    order = order_get_for_user(employee=employee, pk=order_id)
    emails = order_emails_for_user(employee=employee, order=order)
    results, links = paginate(request, emails, page=page)
    return {**links, "results": [email_summary_out(sent) for sent in results]}


@router.get("/emails/{email_id}", response=responses({200: EmailOut}, 403, 404))
def email_detail(request: HttpRequest, email_id: Id) -> dict:
    """Headers, recipients, bodies, attachments, delivery attempts and internal notes."""
    employee = caller(request)
    return email_out(outgoing_email_get_for_user(employee=employee, pk=email_id), employee=employee)


@router.get(
    "/emails/{email_id}/raw",
    response=responses({}, 403, 404),
    openapi_extra=_binary("message/rfc822", "Le message tel qu'il a été figé à l'envoi (.eml)."),
)
def email_raw(request: HttpRequest, email_id: Id) -> HttpResponse:
    sent = outgoing_email_get_for_user(employee=caller(request), pk=email_id)
    return sent_message_download(sent)


@router.get(
    "/emails/{email_id}/attachments/{position}",
    response=responses({}, 403, 404),
    openapi_extra=_binary("application/octet-stream", "L'annexe envoyée, avec son type de contenu."),
)
def email_attachment(request: HttpRequest, email_id: Id, position: Position) -> HttpResponse:
    """The attachment at this position (0, 1, …) of the sent email."""
    sent = outgoing_email_get_for_user(employee=caller(request), pk=email_id)
    attachment = get_object_or_404(sent.attachments, position=position)
    return sent_attachment_download(attachment)


@router.post("/emails/{email_id}/notes", response=responses({201: NoteOut}, 400, 403, 404))
def email_note_add(request: HttpRequest, email_id: Id, payload: NoteIn) -> Status[dict]:
    """An internal note on the sent email: kept with its author and time, never sent."""
    employee = caller(request)
    sent = outgoing_email_get_for_user(employee=employee, pk=email_id)
    note = archive_services.email_note_add(email=sent, author=employee, text=payload.text)
    return Status(
        201, {"id": note.pk, "author": employee_out(employee), "text": note.text, "created_at": note.created_at}
    )


@router.post("/emails/{email_id}/retry", response=responses({202: SentOut}, 403, 404) | CONFLICT)
def email_retry(request: HttpRequest, email_id: Id) -> Status[dict]:
    """Queues a failed email again, with the same Message-ID."""
    employee = caller(request)
    sent = outgoing_email_get_for_user(employee=employee, pk=email_id)
    # A retry sends: it needs what a first send needs.
    ensure_can_send(employee=employee, order=sent.order)
    outbox_retry(email=sent, actor=employee)
    sent.refresh_from_db(fields=["status"])
    return Status(202, {"email_id": sent.pk, "status": sent.status})


@router.post("/emails/{email_id}/cancel", response=responses({200: SentOut}, 403, 404) | CONFLICT)
def email_cancel(request: HttpRequest, email_id: Id) -> dict:
    """Cancels an email that is still waiting to be sent."""
    employee = caller(request)
    sent = outgoing_email_get_for_user(employee=employee, pk=email_id)
    outbox_cancel(email=sent, actor=employee)
    sent.refresh_from_db(fields=["status"])
    return {"email_id": sent.pk, "status": sent.status}
