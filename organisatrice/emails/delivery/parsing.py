"""Reading a message from the bounce mailbox: bounce, success DSN, auto-reply, feedback, or other.

RFC 3464 reports are read by dsn.py; the other formats of the common MTAs by vendors.py
(flufl.bounce first, then the formats it does not know). A message is called a bounce only
with a report's structure or a mail system's signs (a null or mailer-daemon sender, a
failure subject) and a failed address found: a person's reply or an out-of-office never is.
"""

import dataclasses
import email
import email.policy
import re
from email.header import decode_header, make_header
from email.message import Message

from .classes import is_hard
from .dsn import DsnRecipient, address_in, dsn_read, dsn_read_text, status_in
from .reports import Action, ParsedReport, RecipientReport, ReportKind
from .text import address_context, message_text, returned_headers
from .vendors import looks_like_bounce, sent_by_mail_system, vendor_recipients

# A message larger than this is read only this far: bounces are small (RET=HDRS), and a
# hostile one must not cost more than a bounded parse.
MAX_PARSED_BYTES = 2 * 1024 * 1024

_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(?:matic)?[ -]?(?:reply|response|respons|antwort|réponse)|out of (?:the )?office|away|"
    r"abwesen|absence|vacation|urlaub|r[ée]ponse automatique|autoreply)",
    re.IGNORECASE,
)


def _parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw[:MAX_PARSED_BYTES], policy=email.policy.compat32)


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return str(value or "").strip()


def _decoded_header(message: Message, name: str) -> str:
    try:
        value = str(make_header(decode_header(_header(message, name))))
    except (ValueError, LookupError, UnicodeError):
        value = _header(message, name)
    # Shown on pages: one line, no control characters.
    return "".join(c if c.isprintable() else " " for c in value)


def _is_feedback(message: Message) -> bool:
    if message.get_content_type() == "multipart/report" and (
        str(message.get_param("report-type") or "").lower() == "feedback-report"
    ):
        return True
    return any(part.get_content_type() == "message/feedback-report" for part in message.walk())


def _is_auto_reply(message: Message) -> bool:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Auto-Response-Suppress"):
        return True
    if _header(message, "Precedence").lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(_AUTO_REPLY_SUBJECT.match(_header(message, "Subject")))


def _addressed_to(message: Message) -> tuple[str, ...]:
    found: list[str] = []
    for name in ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"):
        for value in message.get_all(name) or []:
            address = address_in(str(value))
            if address and address not in found:
                found.append(address)
    return tuple(found)


def _report(
    message: Message, kind: ReportKind, recipients: list[RecipientReport], envelope_id: str = ""
) -> ParsedReport:
    headers = returned_headers(message, envelope_id_known=bool(envelope_id))
    return ParsedReport(
        kind=kind,
        recipients=tuple(recipients),
        envelope_id=envelope_id or headers.get("original-envelope-id", ""),
        original_message_id=headers.get("message-id", ""),
        addressed_to=_addressed_to(message),
        subject=_decoded_header(message, "Subject")[:300],
        sender=_decoded_header(message, "From")[:400],
    )


def _dsn_recipient(entry: DsnRecipient, context: str) -> RecipientReport:
    status = entry.status
    if status.endswith(".0.0") or not status:
        # "5.0.0" says only "failed": the report's text often has the precise code.
        status = status_in(context) or status
    return RecipientReport(
        email=entry.final,
        action=entry.action or Action.FAILED,
        status=status,
        diagnostic=(entry.diagnostic or " ".join(context.split()))[:1000],
        hard=entry.action == Action.FAILED and is_hard(status, entry.diagnostic, context, command_known=True),
        original=entry.original,
    )


def bounce_parse(raw: bytes) -> ParsedReport:
    """What the message says; never raises for a malformed message (it is then `other`)."""
    message = _parse(raw)
    if _is_feedback(message):
        return _report(message, ReportKind.FEEDBACK, [])
    found, envelope_id = dsn_read(message)
    text = message_text(message)
    if not found:
        found, envelope_id = dsn_read_text(text)
    if found:
        named = tuple(entry.final for entry in found)
        recipients = [_dsn_recipient(entry, address_context(text, entry.final, named)) for entry in found]
        failures = [r for r in recipients if r.action != Action.DELIVERED]
        if failures:
            return _report(message, ReportKind.BOUNCE, failures, envelope_id)
        return _report(message, ReportKind.DELIVERED, recipients, envelope_id)
    # A mail system's report first (Exim's carry Auto-Submitted too); then a person's
    # out-of-office, even with a null sender; then what only its subject calls a failure.
    auto_reply = _is_auto_reply(message)
    if sent_by_mail_system(message) or (not auto_reply and looks_like_bounce(message)):
        recipients = vendor_recipients(message, text, raw)
        if recipients:
            return _report(message, ReportKind.BOUNCE, recipients)
    if auto_reply:
        # RFC 3834: the replier is the From, the message it answers its In-Reply-To.
        replier = address_in(_header(message, "From"))
        report = _report(
            message, ReportKind.AUTO_REPLY, [RecipientReport(replier, Action.AUTO_REPLIED)] if replier else []
        )
        in_reply_to = _header(message, "In-Reply-To").split()
        if not report.original_message_id and in_reply_to:
            return dataclasses.replace(report, original_message_id=in_reply_to[0][:250])
        return report
    return _report(message, ReportKind.OTHER, [])


__all__ = ["bounce_parse", "status_in"]
