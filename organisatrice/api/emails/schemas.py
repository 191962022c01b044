"""A sent email as the archive answers it, read from the OutgoingEmail and its stored message."""

import datetime
import email as email_package
import email.policy
from typing import Any

from ninja import Field, Schema

from organisatrice.content_store import blob_read
from organisatrice.emails.models import OutgoingEmail
from organisatrice.emails.outbox.services import outbox_can_cancel, outbox_can_retry
from organisatrice.emails.policy import can_send

from ..auth import caller
from ..schemas import AddressOut, EmailStatus, EmployeeOut, InputSchema, PageOut, Text


class SentAttachmentOut(Schema):
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str
    document_kind: str


class EmailSummaryOut(Schema):
    id: int
    order_id: int
    created_at: datetime.datetime
    sender: EmployeeOut
    template_type: str
    to: list[AddressOut]
    subject: str
    status: EmailStatus
    sent_at: datetime.datetime | None
    attempt_count: int
    attachments: list[SentAttachmentOut]


class EmailPageOut(PageOut):
    results: list[EmailSummaryOut]


class HeaderOut(Schema):
    # A (name, value) pair of the stored message's headers.
    name: str
    value: str

    @staticmethod
    def resolve_name(header: tuple[str, Any]) -> str:
        return header[0]

    @staticmethod
    def resolve_value(header: tuple[str, Any]) -> str:
        return str(header[1])


class AttemptOut(Schema):
    started_at: datetime.datetime
    finished_at: datetime.datetime
    outcome: str
    smtp_code: int | None
    smtp_reply: str
    error: str


class NoteIn(InputSchema):
    text: Text


class NoteOut(Schema):
    id: int
    author: EmployeeOut
    text: str
    created_at: datetime.datetime


class EmailOut(EmailSummaryOut):
    order_number: str = Field(alias="order.number")
    message_id: str
    from_header: str
    reply_to: str
    cc: list[AddressOut]
    bcc: list[AddressOut]
    headers: list[HeaderOut]
    text_body: str
    html_body: str
    sha256: str = Field(alias="raw_sha256")
    size: int = Field(alias="raw_size")
    next_attempt_at: datetime.datetime | None
    smtp_reply: str
    failure_reason: str
    attempts: list[AttemptOut]
    notes: list[NoteOut]
    can_retry: bool
    can_cancel: bool

    @staticmethod
    def resolve_headers(sent: OutgoingEmail) -> list[tuple[str, Any]]:
        parsed = email_package.message_from_bytes(blob_read(sent.raw_sha256), policy=email.policy.default)
        return parsed.items()

    @staticmethod
    def resolve_notes(sent: OutgoingEmail) -> Any:
        return sent.notes.select_related("author")

    @staticmethod
    def resolve_can_retry(sent: OutgoingEmail, context: dict[str, Any]) -> bool:
        return outbox_can_retry(email=sent) and can_send(employee=caller(context["request"]), order=sent.order)

    @staticmethod
    def resolve_can_cancel(sent: OutgoingEmail, context: dict[str, Any]) -> bool:
        return outbox_can_cancel(email=sent) and can_send(employee=caller(context["request"]), order=sent.order)
