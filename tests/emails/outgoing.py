"""Outgoing emails for the outbox tests: a real MIME message, frozen as the composer does.

The message is built with email.message.EmailMessage, serialised with email.policy.SMTP
(CRLF line ends), stored with blob_put, and the OutgoingEmail row points at its SHA-256.
"""

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from organisatrice.content_store import blob_put, blob_read
from organisatrice.documents.kinds import DocumentKind
from organisatrice.emails.models import OutgoingAttachment, OutgoingEmail
from organisatrice.emails.outbox.services import outbox_enqueue
from organisatrice.orders.models import Order, WorkReport
from organisatrice.people.models import Employee
from tests.factories import EmployeeFactory, OrderFactory, WorkReportFactory

SENDING_ADDRESS = "envoi@dupont-sa.ch"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"
    work_report: WorkReport | None = None


# Typed doors to the factories (factory_boy's classes are not the models to mypy).
def an_employee() -> Employee:
    return EmployeeFactory()


def a_dispatcher() -> Employee:
    """Someone who may send from every order, and so cancel or retry its emails."""
    return EmployeeFactory(is_dispatcher=True)


def an_order() -> Order:
    return OrderFactory()


def a_work_report(*, order: Order | None = None) -> WorkReport:
    return WorkReportFactory(order=order or an_order())


def _address(entry: dict[str, str]) -> Address:
    username, _, domain = entry["email"].rpartition("@")
    return Address(display_name=entry.get("name", ""), username=username, domain=domain)


def outgoing_email_create(
    *,
    order: Order | None = None,
    sender: Employee | None = None,
    to: list[dict[str, str]] | None = None,
    cc: list[dict[str, str]] | None = None,
    bcc: list[dict[str, str]] | None = None,
    subject: str = "Rapport de travail 2026-00001",
    text: str = "Bonjour,\r\n\r\nVeuillez trouver ci-joint le rapport de travail.\r\n",
    attachments: list[Attachment] | None = None,
    enqueue: bool = True,
) -> OutgoingEmail:
    order = order or an_order()
    sender = sender or an_employee()
    to = to if to is not None else [{"name": "Anne Favre", "email": "anne.favre@gerance.ch"}]
    cc = cc or []
    bcc = bcc or []
    attachments = attachments or []

    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=f"{sender.full_name} (Dupont SA)", addr_spec=SENDING_ADDRESS)
    message["Reply-To"] = Address(display_name=sender.full_name, addr_spec=sender.email)
    message["To"] = [_address(entry) for entry in to]
    if cc:
        message["Cc"] = [_address(entry) for entry in cc]
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message_id = make_msgid(domain="dupont-sa.ch")
    message["Message-ID"] = message_id
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(f"<p>{text}</p>", subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    raw = message.as_bytes(policy=SMTP)

    email = OutgoingEmail.objects.create(
        order=order,
        sender=sender,
        template_type="work_report",
        message_id=message_id,
        from_header=str(message["From"]),
        reply_to=str(message["Reply-To"]),
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        text_body=text,
        html_body=f"<p>{text}</p>",
        raw_sha256=blob_put(raw),
        raw_size=len(raw),
    )
    OutgoingAttachment.objects.bulk_create(
        OutgoingAttachment(
            email=email,
            position=position,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=len(attachment.content),
            sha256=blob_put(attachment.content),
            document_kind=DocumentKind.WORK_REPORT if attachment.work_report else "",
            work_report=attachment.work_report,
        )
        for position, attachment in enumerate(attachments)
    )
    if enqueue:
        outbox_enqueue(email=email)
    return email


def outgoing_email_copies(email: OutgoingEmail, *, count: int) -> list[OutgoingEmail]:
    """`count` more emails like `email`, each under its own Message-ID, queued.

    The frozen bytes are copied with the Message-ID replaced: thousands of emails for a
    volume test, without building each MIME message anew.
    """
    raw = blob_read(email.raw_sha256)
    copies = []
    for number in range(count):
        message_id = email.message_id.replace("@", f".{number}@", 1)
        copy_raw = raw.replace(email.message_id.encode(), message_id.encode(), 1)
        copies.append(
            OutgoingEmail(
                order_id=email.order_id,
                sender_id=email.sender_id,
                template_type=email.template_type,
                message_id=message_id,
                from_header=email.from_header,
                reply_to=email.reply_to,
                to=email.to,
                cc=email.cc,
                bcc=email.bcc,
                subject=email.subject,
                text_body=email.text_body,
                html_body=email.html_body,
                raw_sha256=blob_put(copy_raw),
                raw_size=len(copy_raw),
            )
        )
    created = OutgoingEmail.objects.bulk_create(copies)
    for copy in created:
        outbox_enqueue(email=copy)
    return created


def pdf_like(size: int = 200 * 1024, *, seed: int = 0) -> bytes:
    """Bytes that look like a PDF to a mail system and do not compress."""
    body = bytes((i * 7919 + seed * 104729 + (i >> 8) * 31) % 256 for i in range(size))
    return b"%PDF-1.7\n" + body + b"\n%%EOF\n"
