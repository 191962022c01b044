"""The readable parts of a bounce: its text, and the headers of the message it returns."""

import email
import email.policy
import html
import re
from email.message import Message

# The text looked at for addresses and reasons: bounces say what matters at the top.
MAX_TEXT = 200_000
_TAG = re.compile(r"<[^>]{0,2000}>")
_RETURNED_ID = re.compile(r"^\s*Message-I[Dd]\s*:\s*(<[^>\s]{1,250}>)", re.IGNORECASE | re.MULTILINE)
_RETURNED_ENVID = re.compile(r"^\s*Original-Envelope-Id\s*:\s*(\S{1,100})", re.IGNORECASE | re.MULTILINE)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _parts_outside_returned(message: Message) -> list[Message]:
    """The leaf parts of the report itself, not of a message it returns (message/rfc822)."""
    found: list[Message] = []
    stack = [message]
    while stack and len(found) < 50:
        part = stack.pop(0)
        if part.get_content_maintype() == "message" and part.get_content_subtype() in ("rfc822", "global"):
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack[:0] = [child for child in payload if isinstance(child, Message)]
            continue
        found.append(part)
    return found


def message_text(message: Message) -> str:
    """The report's own text: its text/plain parts, else its HTML without tags."""
    parts = _parts_outside_returned(message)
    # A multipart without a usable boundary arrives as one part: its text is the report.
    plain = [
        _decoded(p) for p in parts if p.get_content_type() == "text/plain" or p.get_content_maintype() == "multipart"
    ]
    text = "\n".join(plain).replace("\r\n", "\n")
    if not text.strip():
        markup = "\n".join(_decoded(p) for p in parts if p.get_content_type() == "text/html")
        text = html.unescape(_TAG.sub(" ", markup[: MAX_TEXT * 2])).replace("\r\n", "\n")
    return text[:MAX_TEXT]


def _returned_header_message(message: Message) -> Message | None:
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if kind in ("text/rfc822-headers", "message/rfc822-headers"):
            return email.message_from_string(_decoded(part) or str(part.get_payload()), policy=email.policy.compat32)
    return None


def returned_headers(message: Message, *, envelope_id_known: bool = False) -> dict[str, str]:
    """The returned message's Message-ID (and the report's ENVID when only the text has it).

    The whole text is read only for what the structured parts did not give.
    """
    found: dict[str, str] = {}
    returned = _returned_header_message(message)
    if returned is not None and returned.get("Message-ID"):
        found["message-id"] = str(returned.get("Message-ID")).strip()
    if "message-id" in found and envelope_id_known:
        return found
    text = _all_text(message)
    match = _RETURNED_ID.search(text)
    if match and "message-id" not in found:
        found["message-id"] = match.group(1)
    envid = None if envelope_id_known else _RETURNED_ENVID.search(text)
    if envid:
        found["original-envelope-id"] = envid.group(1)
    return found


def _all_text(message: Message) -> str:
    texts: list[str] = []
    for part in message.walk():
        if not part.is_multipart() and part.get_content_maintype() in ("text", "message"):
            texts.append(_decoded(part) or str(part.get_payload())[:MAX_TEXT])
    return "\n".join(texts)[: MAX_TEXT * 2]


def address_context(text: str, address: str, others: tuple[str, ...] = ()) -> str:
    """The words about one address: from the paragraph where it is first named to where the
    next of `others` is named (at most 2,000 characters on)."""
    lowered = text.lower()
    index = lowered.find(address)
    if index < 0:
        return ""
    end, start = index + 2000, max(text.rfind("\n\n", 0, index), index - 500, 0)
    for other in others:
        if other != address and address not in other:
            found = lowered.find(other, index + len(address))
            if 0 <= found < end:
                end = found
            before = lowered.rfind(other, start, index)
            if before >= 0:
                # From the line after the other address's last mention.
                line_end = text.find("\n", before)
                start = max(start, line_end + 1 if 0 <= line_end < index else before + len(other))
    return text[start:end]
