"""A sent email as the archive answers it, read from the OutgoingEmail and its stored message."""

import datetime
import email as email_package
import email.policy
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from organisatrice.content_store import blob_read
from organisatrice.emails.delivery.selectors import email_recipients
from organisatrice.emails.models import EmailRecipient, OutgoingEmail
from organisatrice.emails.outbox.services import outbox_can_cancel, outbox_can_retry
from organisatrice.emails.policy import can_send

from ..auth import caller
from ..me.schemas import SentCopyOut
from ..schemas import AddressOut, EmailStatus, EmployeeOut, InputSchema, PageOut, Text, inline


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
    # What the recipients' statuses come to: "" (no news since the relay's acceptance),
    # delivered, deferred, partly_bounced, bounced (every To recipient: not delivered).
    delivery: Annotated[OutgoingEmail.Delivery, inline(OutgoingEmail.Delivery)]
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


class RecipientStatusOut(Schema):
    """What became of the email for one recipient (see emails.delivery)."""

    name: str
    email: str = Field(alias="address")
    kind: Annotated[EmailRecipient.Kind, inline(EmailRecipient.Kind)]
    status: Annotated[EmailRecipient.Status, inline(EmailRecipient.Status)]
    bounce: Literal["hard", "soft"] | None = Field(description="Non remis : définitif (hard) ou temporaire (soft).")
    status_code: str = Field(description="Code RFC 3463 (5.1.1), vide s'il n'y en a pas.")
    diagnostic: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_bounce(row: EmailRecipient) -> str | None:
        return row.bounce or None


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
    recipients: list[RecipientStatusOut]
    notes: list[NoteOut]
    can_retry: bool
    can_cancel: bool
    sent_copy: SentCopyOut | None = Field(description="La copie dans les envoyés de l'expéditeur, s'il l'a activée.")

    @staticmethod
    def resolve_headers(sent: OutgoingEmail) -> list[tuple[str, Any]]:
        parsed = email_package.message_from_bytes(blob_read(sent.raw_sha256), policy=email.policy.default)
        return parsed.items()

    @staticmethod
    def resolve_recipients(sent: OutgoingEmail) -> list[EmailRecipient]:
        return email_recipients(sent)

    @staticmethod
    def resolve_sent_copy(sent: OutgoingEmail) -> Any:
        # The reverse one-to-one of organisatrice.sentcopy; absent when the copy was off.
        return getattr(sent, "sent_copy", None)

    @staticmethod
    def resolve_notes(sent: OutgoingEmail) -> Any:
        return sent.notes.select_related("author")

    @staticmethod
    def resolve_can_retry(sent: OutgoingEmail, context: dict[str, Any]) -> bool:
        return outbox_can_retry(email=sent) and can_send(employee=caller(context["request"]), order=sent.order)

    @staticmethod
    def resolve_can_cancel(sent: OutgoingEmail, context: dict[str, Any]) -> bool:
        return outbox_can_cancel(email=sent) and can_send(employee=caller(context["request"]), order=sent.order)
