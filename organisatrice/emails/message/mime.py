"""Builds the complete MIME message once, at Send; the outbox sends exactly these bytes.

multipart/mixed holding multipart/alternative (text, then HTML) and the attachments.
From is the company's sending address with the employee's name, Reply-To the employee.
Non-ASCII names and subjects are encoded by the email package (RFC 2047 for headers,
RFC 2231 for attachment names); BCC never appears in a header.

The bytes are read back and compared with what was meant (checks.py) before they are
returned. A header the email package does not write back exactly is written by hand
(headers.py), unless its value holds an encoded-word mark `=?`: that one is refused
with MessageUnsafe, as is any other difference.
"""

import email.policy
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from .checks import ENCODED_WORD_MARK, AttachmentContent, MessageIntent, Mismatch, message_mismatches, message_unsafe
from .headers import LiteralHeader, address_header, subject_header
from .recipients import Recipient

# SMTP policy: CRLF line ends, as servers expect the bytes on the wire.
WIRE_POLICY = email.policy.SMTP


@dataclass(frozen=True)
class BuiltMessage:
    raw: bytes
    message_id: str
    from_header: str
    reply_to: str


def _address(recipient: Recipient) -> Address:
    username, _, domain = recipient.email.rpartition("@")
    return Address(display_name=recipient.name, username=username, domain=domain)


def _message(intent: MessageIntent) -> EmailMessage:
    message = EmailMessage(policy=WIRE_POLICY)
    for name, recipients in intent.address_headers().items():
        message[name] = [_address(r) for r in recipients]
    message["Subject"] = intent.subject
    message["Date"] = intent.date
    message["Message-ID"] = intent.message_id
    message.set_content(intent.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(intent.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in intent.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def _written_by_hand(mismatch: Mismatch, intent: MessageIntent) -> LiteralHeader | None:
    """The header of `mismatch` written by hand, if that is allowed and possible."""
    if mismatch.header == "Subject":
        return None if ENCODED_WORD_MARK in intent.subject else subject_header(intent.subject)
    recipients = intent.address_headers().get(mismatch.header)
    if not recipients or any(ENCODED_WORD_MARK in r.name for r in recipients):
        return None
    return address_header(mismatch.header, recipients)


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
    """The message's bytes, proven to say what was meant; raises MessageUnsafe otherwise."""
    intent = MessageIntent(
        sender=Recipient(name=sender_name, email=sender_address),
        reply_to=reply_to,
        to=to,
        cc=cc,
        subject=subject,
        date=format_datetime(timezone.now()),
        message_id=make_msgid(domain=message_id_domain),
        text=text,
        html=html,
        attachments=attachments,
    )
    message = _message(intent)
    raw = message.as_bytes(policy=WIRE_POLICY)
    mismatches = message_mismatches(raw, intent)
    rewritten = [(m.header, _written_by_hand(m, intent)) for m in mismatches if m.header]
    if any(header for _name, header in rewritten):
        for name, header in rewritten:
            if header:
                message.replace_header(name, header)
        raw = message.as_bytes(policy=WIRE_POLICY)
        mismatches = message_mismatches(raw, intent)
    if mismatches:
        raise message_unsafe(mismatches)
    return BuiltMessage(
        raw=raw,
        message_id=intent.message_id,
        from_header=str(message["From"]),
        reply_to=str(message["Reply-To"] or ""),
    )
