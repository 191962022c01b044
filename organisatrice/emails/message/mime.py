"""Builds the complete MIME message once, at Send; the outbox sends exactly these bytes.

multipart/mixed holding multipart/alternative (text, then HTML) and the attachments.
From is the company's sending address with the employee's name, Reply-To the employee.
Non-ASCII names and subjects are encoded by the email package (RFC 2047 for headers,
RFC 2231 for attachment names, with a plain `name=` beside them for old readers, see
headers.attachment_content_type); BCC never appears in a header. The company logo, when
there is one, travels inside (multipart/related around the HTML, shown by `cid:`); Date
is in the company's time zone.

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
from typing import Any

from django.utils import timezone

from .checks import ENCODED_WORD_MARK, Mismatch, message_mismatches, message_unsafe
from .headers import LiteralHeader, address_header, attachment_content_type, subject_header
from .intent import AttachmentContent, InlineImage, MessageIntent
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


def _part(message: EmailMessage, index: int) -> EmailMessage:
    """A part of the multipart message being built (the email package's types do not say it is one)."""
    payload = message.get_payload()
    part = payload[index] if isinstance(payload, list) else None
    if not isinstance(part, EmailMessage):
        raise TypeError("not a part of a multipart message")
    return part


def _message(intent: MessageIntent) -> EmailMessage:
    message = EmailMessage(policy=WIRE_POLICY)
    for name, recipients in intent.address_headers().items():
        message[name] = [_address(r) for r in recipients]
    message["Subject"] = intent.subject
    message["Date"] = intent.date
    message["Message-ID"] = intent.message_id
    message.set_content(intent.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(intent.html, subtype="html", charset="utf-8", cte="quoted-printable")
    if intent.logo is not None:
        # multipart/related around the HTML: the logo belongs to it, not to the plain text.
        maintype, _, subtype = intent.logo.mime_type.partition("/")
        _part(message, 1).add_related(
            intent.logo.content,
            maintype=maintype,
            subtype=subtype,
            cid=f"<{intent.logo.content_id}>",
            disposition="inline",
            filename=f"logo.{subtype}",
        )
    for attachment in intent.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
        content_type: Any = attachment_content_type(attachment.mime_type, attachment.filename)
        _part(message, -1).replace_header("Content-Type", content_type)
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
    logo: InlineImage | None = None,
) -> BuiltMessage:
    """The message's bytes, proven to say what was meant; raises MessageUnsafe otherwise."""
    intent = MessageIntent(
        sender=Recipient(name=sender_name, email=sender_address),
        reply_to=reply_to,
        to=to,
        cc=cc,
        subject=subject,
        # The company's time (Europe/Zurich, settings.TIME_ZONE), as a letter from it would be dated.
        date=format_datetime(timezone.localtime(timezone.now(), timezone.get_default_timezone())),
        message_id=make_msgid(domain=message_id_domain),
        text=text,
        html=html,
        attachments=attachments,
        logo=logo,
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
