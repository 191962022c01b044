"""Headers written by hand, for the values the email package would not write back exactly.

EmailMessage writes header values through its header registry, whose folding changes
some legitimate values on the way (Python 3.11): it drops a run of spaces next to an
encoded word, lets the reader add a space between the encoded words of a folded display
name, starts a folded long word with a space. For those values message_build writes the
header itself, its text in RFC 2047 encoded words (UTF-8, base64): every reader decodes
them to the exact text, and no reader parses what they hold for structure.

A subject becomes adjacent encoded words, which RFC 2047 joins without the space
between them; a display name becomes one encoded word, because Python's address parser
would put a space between two. The check in checks.py still reads every byte back.
"""

import base64
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import Policy

from .recipients import Recipient

# RFC 5322's limit for a line, without its CRLF.
MAX_LINE = 998
# 48 base64 characters: an encoded word of 60, within RFC 2047's 75 and a 78-character line.
SUBJECT_CHUNK_BYTES = 36


@dataclass(frozen=True)
class LiteralHeader:
    """A header stored as written: EmailMessage keeps any value with a `name` and a `fold` as it is."""

    name: str
    text: str  # what str(message[name]) gives, as for the registry's header
    lines: tuple[str, ...]

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: " + (policy.linesep + " ").join(self.lines) + policy.linesep

    def __str__(self) -> str:
        return self.text


def encoded_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode("ascii") + "?="


def _chunks(text: str, limit: int) -> list[str]:
    """`text` cut between characters into pieces of at most `limit` UTF-8 bytes."""
    chunks, current, size = [], "", 0
    for character in text:
        length = len(character.encode())
        if current and size + length > limit:
            chunks.append(current)
            current, size = "", 0
        current += character
        size += length
    return [*chunks, current] if current else chunks


def subject_header(subject: str) -> LiteralHeader:
    lines = tuple(encoded_word(chunk) for chunk in _chunks(subject, SUBJECT_CHUNK_BYTES)) or ("",)
    return LiteralHeader(name="Subject", text=subject, lines=lines)


def address_header(name: str, recipients: list[Recipient]) -> LiteralHeader | None:
    """One address a line, each display name one encoded word; None if a line would be too long."""
    addresses = []
    for recipient in recipients:
        username, _, domain = recipient.email.rpartition("@")
        addresses.append(Address(display_name=recipient.name, username=username, domain=domain))
    items = [f"{encoded_word(a.display_name)} <{a.addr_spec}>" if a.display_name else a.addr_spec for a in addresses]
    lines = tuple(item + ("," if position < len(items) - 1 else "") for position, item in enumerate(items))
    if not lines or not all(line.isascii() for line in lines):
        return None
    if len(name) + 2 + len(lines[0]) > MAX_LINE or any(1 + len(line) > MAX_LINE for line in lines):
        return None
    return LiteralHeader(name=name, text=", ".join(str(a) for a in addresses), lines=lines)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attachment_content_type(mime_type: str, filename: str) -> LiteralHeader:
    """Content-Type with a plain `name=` beside Content-Disposition's RFC 2231 `filename*`.

    Outlook before 2016 and other old readers know only `name=` and show ATT00001.bin
    without it. The email package writes `name*=` (RFC 2231) for a non-ASCII or long name,
    which those readers ignore too, so the parameter is written here: the ASCII name as
    is, any other as RFC 2047 encoded words inside the quotes, as Thunderbird and Outlook
    write it and every reader decodes it (one word a line, each within 78 characters).
    """
    if filename.isascii():
        lines: tuple[str, ...] = (f"{mime_type};", f"name={_quoted(filename)}")
    else:
        words = [encoded_word(chunk) for chunk in _chunks(filename, SUBJECT_CHUNK_BYTES)]
        words[0] = 'name="' + words[0]
        words[-1] += '"'
        lines = (f"{mime_type};", *words)
    return LiteralHeader(name="Content-Type", text=f"{mime_type}; name={_quoted(filename)}", lines=lines)
