"""The archive of sent emails: lists, details, the stored message and attachments, notes,
retry and cancel, as the archive pages offer them."""

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from organisatrice.emails.archive import services as archive_services
from organisatrice.emails.archive.selectors import order_emails_for_user, outgoing_email_get_for_user
from organisatrice.emails.downloads import sent_attachment_download, sent_message_download
from organisatrice.emails.models import EmailNote, OutgoingEmail
from organisatrice.emails.outbox.services import outbox_cancel, outbox_retry
from organisatrice.orders.selectors import order_get_for_user

from ..auth import caller
from ..errors import CONFLICT, responses
from ..pagination import paginate
from ..schemas import Id, PageNumber, Position, SentOut
from .schemas import EmailOut, EmailPageOut, NoteIn, NoteOut

router = Router(tags=["eMails envoyés"])


def _binary(content_type: str, description: str) -> dict:
    # These answers are files, not JSON: say so in the schema.
    content = {content_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {"200": {"description": description, "content": content}}}


@router.get("/orders/{order_id}/emails", response=responses({200: EmailPageOut}, 403, 404))
def order_emails(request: HttpRequest, order_id: Id, page: PageNumber = 1) -> Page:
    """The emails sent from the order, newest first, 25 a page."""
    employee = caller(request)
    order = order_get_for_user(employee=employee, pk=order_id)
    return paginate(order_emails_for_user(employee=employee, order=order), page=page)


@router.get("/emails/{email_id}", response=responses({200: EmailOut}, 403, 404))
def email_detail(request: HttpRequest, email_id: Id) -> OutgoingEmail:
    """Headers, recipients, bodies, attachments, delivery attempts and internal notes."""
    return outgoing_email_get_for_user(employee=caller(request), pk=email_id)


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
def email_note_add(request: HttpRequest, email_id: Id, payload: NoteIn) -> Status[EmailNote]:
    """An internal note on the sent email: kept with its author and time, never sent."""
    employee = caller(request)
    sent = outgoing_email_get_for_user(employee=employee, pk=email_id)
    return Status(201, archive_services.email_note_add(email=sent, author=employee, text=payload.text))


@router.post("/emails/{email_id}/retry", response=responses({202: SentOut}, 403, 404) | CONFLICT)
def email_retry(request: HttpRequest, email_id: Id) -> Status[OutgoingEmail]:
    """Queues a failed email again, with the same Message-ID."""
    employee = caller(request)
    sent = outgoing_email_get_for_user(employee=employee, pk=email_id)
    outbox_retry(email=sent, actor=employee)
    sent.refresh_from_db(fields=["status"])
    return Status(202, sent)


@router.post("/emails/{email_id}/cancel", response=responses({200: SentOut}, 403, 404) | CONFLICT)
def email_cancel(request: HttpRequest, email_id: Id) -> OutgoingEmail:
    """Cancels an email that is still waiting to be sent."""
    employee = caller(request)
    sent = outgoing_email_get_for_user(employee=employee, pk=email_id)
    outbox_cancel(email=sent, actor=employee)
    sent.refresh_from_db(fields=["status"])
    return sent
