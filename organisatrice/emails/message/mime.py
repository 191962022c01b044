"""Builds the complete MIME message once, at Send; the outbox sends exactly these bytes.

multipart/mixed holding multipart/alternative (text, then HTML) and the attachments.
From is the company's sending address with the employee's name, Reply-To the employee.
Non-ASCII names and subjects are encoded by the email package (RFC 2047 for headers,
RFC 2231 for attachment names); BCC never appears in a header.
"""

import email.policy
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from .recipients import Recipient

# SMTP policy: CRLF line ends, as servers expect the bytes on the wire.
WIRE_POLICY = email.policy.SMTP


@dataclass(frozen=True)
class AttachmentContent:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class BuiltMessage:
    raw: bytes
    message_id: str
    from_header: str
    reply_to: str


def _address(recipient: Recipient) -> Address:
    username, _, domain = recipient.email.rpartition("@")
    return Address(display_name=recipient.name, username=username, domain=domain)


def message_build(
    *,
    sender_name: str,
    sender_address: str,
    reply_to: Recipient | None,
    to: list[Recipient],
    cc: list[Recipient],
    subject: str,
    text: str,
    html: str,
    attachments: list[AttachmentContent],
    message_id_domain: str,
) -> BuiltMessage:
    message = EmailMessage(policy=WIRE_POLICY)
    from_address = _address(Recipient(name=sender_name, email=sender_address))
    message["From"] = from_address
    if to:
        message["To"] = [_address(r) for r in to]
    if cc:
        message["Cc"] = [_address(r) for r in cc]
    if reply_to is not None:
        message["Reply-To"] = _address(reply_to)
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message_id = make_msgid(domain=message_id_domain)
    message["Message-ID"] = message_id
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
        )
    return BuiltMessage(
        raw=message.as_bytes(policy=WIRE_POLICY),
        message_id=message_id,
        from_header=str(message["From"]),
        reply_to=str(message["Reply-To"] or ""),
    )
