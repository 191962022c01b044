"""Reports as relays write them, for the delivery tests and the benchmark.

dsn_for() writes an RFC 3464 report about an OutgoingEmail the way Postfix does (checked
against a real Postfix in test_relay_end_to_end.py): to its VERP address, with its ENVID
and the returned headers, each of the three ties optional.
"""

from collections.abc import Sequence
from email.utils import format_datetime

from django.utils import timezone

from organisatrice.emails.models import OutgoingEmail
from organisatrice.emails.outbox.envelope import delivery_token, envelope_sender


def dsn_for(
    email: OutgoingEmail,
    *,
    failed: Sequence[tuple[str, str, str]] = (),
    delayed: Sequence[tuple[str, str, str]] = (),
    delivered: Sequence[str] = (),
    verp: bool = True,
    envid: bool = True,
    returned_message_id: bool = True,
    boundary: str = "B0UND4RY",
) -> bytes:
    """failed/delayed: (address, status, diagnostic); delivered: addresses (Action: relayed)."""
    to = envelope_sender(email) if verp else "envoi@dupont-sa.ch"
    kind = "Undelivered Mail Returned to Sender" if failed else "Delivery Status Notification"
    blocks = []
    for address, status, diagnostic in failed:
        blocks.append(_block(address, "failed", status, diagnostic))
    for address, status, diagnostic in delayed:
        blocks.append(_block(address, "delayed", status, diagnostic))
    for address in delivered:
        blocks.append(_block(address, "relayed", "2.0.0", "250 2.0.0 Ok: queued as 4F2A"))
    envelope = f"Original-Envelope-Id: {delivery_token(email.pk)}\n" if envid else ""
    returned = f"Message-ID: {email.message_id}\n" if returned_message_id else ""
    text = f"""\
Return-Path: <>
Delivered-To: {to}
From: Mail Delivery System <MAILER-DAEMON@relay.dupont-sa.ch>
To: {to}
Subject: {kind}
Date: {format_datetime(timezone.now())}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"
Message-Id: <dsn.{email.pk}.{len(blocks)}.{len(failed)}@relay.dupont-sa.ch>

--{boundary}
Content-Type: text/plain; charset=utf-8

This is the mail system at host relay.dupont-sa.ch.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.dupont-sa.ch
{envelope}
{"".join(blocks)}
--{boundary}
Content-Type: text/rfc822-headers

From: {email.from_header}
Subject: {email.subject}
{returned}
--{boundary}--
"""
    return text.replace("\n", "\r\n").encode()


def _block(address: str, action: str, status: str, diagnostic: str) -> str:
    return (
        f"Final-Recipient: rfc822; {address}\nOriginal-Recipient: rfc822;{address}\n"
        f"Action: {action}\nStatus: {status}\nDiagnostic-Code: smtp; {diagnostic}\n\n"
    )


def auto_reply_for(email: OutgoingEmail, *, replier: str) -> bytes:
    text = f"""\
Return-Path: <>
Delivered-To: {envelope_sender(email)}
From: {replier}
To: {envelope_sender(email)}
Subject: Abwesenheitsnotiz: {email.subject}
Auto-Submitted: auto-replied
In-Reply-To: {email.message_id}
Message-ID: <auto.{email.pk}@gerance.ch>

Ich bin bis am 5. Januar abwesend.
"""
    return text.replace("\n", "\r\n").encode()
