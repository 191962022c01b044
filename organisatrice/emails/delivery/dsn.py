"""The RFC 3464 reader: every recipient block of a delivery-status report.

Reads message/delivery-status parts (and the same fields where an MTA put them in a
text part), each recipient's Final-Recipient, Original-Recipient, Action, Status and
Diagnostic-Code, and the report's Original-Envelope-Id.
"""

import re
from dataclasses import dataclass
from email.message import Message

from .reports import Action

STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# Bounded: a long run without "@" is not searched again from each of its characters.
_ADDRESS = re.compile(r"[^\s<>()\"';:,\[\]@]{1,64}@[^\s<>()\"';:,\[\]@]{1,255}")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")
# Bounded: a block of more fields than any report has is not a report.
_MAX_FIELDS = 200


@dataclass
class DsnRecipient:
    final: str
    original: str
    action: Action | None
    status: str
    diagnostic: str


def status_in(text: str) -> str:
    match = STATUS_CODE.search(text)
    return ".".join(match.groups()) if match else ""


def address_in(value: str) -> str:
    """The address of a DSN address field: `rfc822; <a@b>`, `a@b`, `RFC822;a@b (comment)`."""
    value = value.split(";", 1)[1] if ";" in value else value
    match = _ADDRESS.search(value)
    return match.group(0).strip(".").lower() if match else ""


def action_of(value: str, status: str) -> Action | None:
    word = value.strip().lower()
    if word.startswith(("fail", "error", "bounce", "deliveryfailure")):
        return Action.FAILED
    if word.startswith("delay"):
        return Action.DELAYED
    if word.startswith(("deliver", "relay", "expand")):
        return Action.DELIVERED
    # No (or an unknown) Action: the status class says what happened.
    return {"5": Action.FAILED, "4": Action.DELAYED, "2": Action.DELIVERED}.get(status[:1])


def _blocks(text: str) -> list[dict[str, str]]:
    """Header blocks separated by blank lines, continuation lines joined, names lowercased."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, ""
            continue
        if line[:1] in " \t" and last:
            current[last] += " " + line.strip()
            continue
        match = _FIELD.match(line)
        if match and len(current) < _MAX_FIELDS:
            last = match.group(1).lower()
            current.setdefault(last, match.group(2).strip())
        else:
            last = ""
    if current:
        blocks.append(current)
    return blocks


def delivery_status_text(part: Message) -> str:
    """The fields of a delivery-status part, as text."""
    payload = part.get_payload()
    if isinstance(payload, list):
        # The email package parsed the blocks as messages: write their fields back.
        return "\n\n".join(
            "\n".join(f"{name}: {value}" for name, value in block.items())
            for block in payload
            if isinstance(block, Message)
        )
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    return str(payload)


def recipients_of(text: str) -> tuple[list[DsnRecipient], str]:
    """The recipient blocks in the text of a delivery-status part, and the envelope id."""
    recipients: list[DsnRecipient] = []
    envelope_id = ""
    for block in _blocks(text):
        envelope_id = envelope_id or block.get("original-envelope-id", "").strip()
        final = address_in(block.get("final-recipient", "")) or address_in(block.get("x-actual-recipient", ""))
        original = address_in(block.get("original-recipient", ""))
        if not final and not original:
            continue
        diagnostic = block.get("diagnostic-code", "")
        diagnostic = diagnostic.split(";", 1)[1].strip() if ";" in diagnostic[:12] else diagnostic.strip()
        status = status_in(block.get("status", ""))
        if not status or status.endswith(".0.0"):
            status = status_in(diagnostic) or status
        recipients.append(
            DsnRecipient(
                final=final or original,
                original=original if original != final else "",
                action=action_of(block.get("action", ""), status),
                status=status,
                diagnostic=diagnostic,
            )
        )
    return recipients, envelope_id


def _report_parts(message: Message) -> list[Message]:
    parts: list[Message] = []
    stack = [message]
    while stack and len(parts) < 200:
        part = stack.pop(0)
        parts.append(part)
        payload = part.get_payload()
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            stack[:0] = [child for child in payload if isinstance(child, Message)]
    return parts


def dsn_read(message: Message) -> tuple[list[DsnRecipient], str]:
    """The recipients of every delivery-status part of the message, in order, and the ENVID.

    Not those of a message it returns (a bounce of a bounce names the first one's recipients),
    unless the message has none of its own: then it only wraps the report it forwards.
    """
    found, envelope_id = _read(_report_parts(message))
    return (found, envelope_id) if found else _read(list(message.walk()))


def _read(parts: list[Message]) -> tuple[list[DsnRecipient], str]:
    found: list[DsnRecipient] = []
    envelope_id = ""
    for part in parts:
        kind = part.get_content_type()
        if kind in ("message/delivery-status", "message/global-delivery-status", "text/delivery-status"):
            recipients, envid = recipients_of(delivery_status_text(part))
            found.extend(recipients)
            envelope_id = envelope_id or envid
    return found, envelope_id


def dsn_read_text(text: str) -> tuple[list[DsnRecipient], str]:
    """The same fields where an MTA wrote them into the text (no delivery-status part)."""
    if "final-recipient:" not in text.lower():
        return [], ""
    return recipients_of(text)
