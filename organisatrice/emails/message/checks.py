"""Proves, at Send, that the message's bytes say what the product meant to send.

Python's email package before 3.11.10 / 3.12.5 (CVE-2024-6923) decodes an RFC 2047
encoded word found in a value (`=?utf-8?q?=0D=0AX-Injected=3A_yes?=`) and writes what
it decodes, CR/LF included, raw into the header: a subject, a recipient's or the
sender's name could add headers or replace the body. Refusing line breaks in the input
does not stop that, and newer Pythons still turn such a value into other text. So
message_build reads its own serialised bytes back (BytesParser, policy.default) and
compares them with the intent: the top-level header names, in order and number; each
header's value (Subject, every (display name, address) of From, To, Cc and Reply-To —
a run of spaces in a display name may read back as one, see display_name_form —
Date, Message-ID, MIME-Version); the MIME tree (multipart/alternative of text/plain and
text/html — with the logo, multipart/related of the HTML and the image —, inside
multipart/mixed with the attachments when there are any), the headers of each part; the
text and HTML decoded from their parts; the logo's bytes and Content-ID; each attachment's
bytes, file name (Content-Disposition's and Content-Type's name=) and content type. Any
difference raises MessageUnsafe, an InputInvalid naming the field to change, and Send
stores and queues nothing.

What the archive shows: email_send stores as text_body and html_body the `text` and
`html` given to message_build, which this check has proven equal (line ends aside: CRLF
on the wire, LF in the archive) to the parts decoded from the frozen bytes. The archive's
pages and API therefore show text proven equal to the stored message.
"""

import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesParser

from django.utils.translation import gettext as _

from ..errors import InputInvalid
from .intent import InlineImage, MessageIntent
from .recipients import Recipient

_READER = BytesParser(policy=email.policy.default)

ENCODED_WORD_MARK = "=?"
_PART_HEADERS = {
    "text": {"content-type", "content-transfer-encoding", "mime-version"},
    "attachment": {"content-type", "content-transfer-encoding", "content-disposition", "mime-version"},
    "alternative": {"content-type", "mime-version"},
    "related": {"content-type", "mime-version"},
    "inline": {"content-type", "content-transfer-encoding", "content-disposition", "content-id", "mime-version"},
}
# Which field of the composer a header's value comes from.
HEADER_FIELDS = {"From": "sender", "Reply-To": "sender", "To": "to", "Cc": "cc", "Subject": "subject"}


_SPACE_RUN = re.compile(r"[ \t]{2,}")


def display_name_form(name: str) -> str:
    """A display name as it is compared with what was meant.

    Exact, unless the name itself holds a run of spaces: Python's reader makes one space
    of each run inside an encoded word, where such a name is written, and RFC 5322 gives
    the runs no meaning in a phrase. Such a name is compared with each run as one space.
    """
    return _SPACE_RUN.sub(" ", name)


class MessageUnsafe(InputInvalid):
    """The built message would not carry exactly what was composed: Send is refused."""


@dataclass(frozen=True)
class Mismatch:
    """A header whose value did not read back (header "" for the message's structure or body)."""

    header: str
    values: tuple[str, ...] = ()
    attachment: str = ""

    @property
    def field(self) -> str:
        return "attachments" if self.attachment else HEADER_FIELDS.get(self.header, "message")


# The email package's own reader can fail on what its writer made (3.11.7 raises IndexError
# on some display names): then the header does not read back as meant, which is what the
# check reports, rather than an error of its own.
_READ_FAILURES = (IndexError, ValueError, TypeError, AttributeError)


def _one(message: Message, name: str) -> str | None:
    try:
        values = message.get_all(name) or []
        return str(values[0]) if len(values) == 1 else None
    except _READ_FAILURES:
        return None


def _address_pairs(message: Message, name: str) -> list[tuple[str, str]] | None:
    try:
        values = message.get_all(name) or []
        if len(values) != 1 or not hasattr(values[0], "addresses"):
            return None
        return [(a.display_name, a.addr_spec) for a in values[0].addresses]
    except _READ_FAILURES:
        return None


def _reads_back(got: tuple[str, str], recipient: Recipient) -> bool:
    name, address = got
    if address != recipient.email:
        return False
    if _SPACE_RUN.search(recipient.name):
        return display_name_form(name) == display_name_form(recipient.name)
    return name == recipient.name


def _all_read_back(got: list[tuple[str, str]] | None, recipients: list[Recipient]) -> bool:
    return got is not None and len(got) == len(recipients) and all(map(_reads_back, got, recipients))


def _suspects(recipients: list[Recipient], got: list[tuple[str, str]] | None) -> tuple[str, ...]:
    """The names to point at: those with an encoded-word mark, else the first that did not read back."""
    marked = tuple(r.name for r in recipients if ENCODED_WORD_MARK in r.name)
    if marked:
        return marked
    for position, recipient in enumerate(recipients):
        if got is None or position >= len(got) or not _reads_back(got[position], recipient):
            return (recipient.name or recipient.email,)
    return tuple(r.name or r.email for r in recipients)


def _header_mismatches(parsed: Message, intent: MessageIntent) -> list[Mismatch]:
    mismatches = []
    for name, recipients in intent.address_headers().items():
        got = _address_pairs(parsed, name)
        if not _all_read_back(got, recipients):
            mismatches.append(Mismatch(name, _suspects(recipients, got)))
    if _one(parsed, "Subject") != intent.subject:
        mismatches.append(Mismatch("Subject", (intent.subject,)))
    expected = {"Date": intent.date, "Message-ID": intent.message_id, "MIME-Version": "1.0"}
    if any(_one(parsed, name) != value for name, value in expected.items()):
        mismatches.append(Mismatch(""))
    return mismatches


def _lines(text: str) -> str:
    # set_content ends the text with a line end; the wire has CRLF, the intent LF.
    text = text.replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def _part_fits(part: Message, content_type: str, kind: str) -> bool:
    names = [name.lower() for name in part]
    return (
        part.get_content_type() == content_type
        and not part.defects
        and len(names) == len(set(names))
        and set(names) <= _PART_HEADERS[kind]
    )


def _image_fits(part: Message, image: InlineImage) -> bool:
    return (
        _part_fits(part, image.mime_type, "inline")
        and part.get_content_disposition() == "inline"
        and part.get("Content-ID") == f"<{image.content_id}>"
        and part.get_payload(decode=True) == image.content
    )


def _html_of(part: Message, intent: MessageIntent) -> Message | None:
    """The text/html part: the part itself, or the first of multipart/related beside the logo."""
    if intent.logo is None:
        return part
    inner = part.get_payload()
    if not (_part_fits(part, "multipart/related", "related") and isinstance(inner, list) and len(inner) == 2):
        return None
    html, image = inner
    if isinstance(html, Message) and isinstance(image, Message) and _image_fits(image, intent.logo):
        return html
    return None


def _body_fits(alternative: Message, intent: MessageIntent) -> bool:
    parts = alternative.get_payload()
    if not isinstance(parts, list) or len(parts) != 2:
        return False
    parts = [parts[0], _html_of(parts[1], intent) if isinstance(parts[1], Message) else None]
    for part, content_type, content in zip(parts, ["text/plain", "text/html"], [intent.text, intent.html], strict=True):
        if not isinstance(part, EmailMessage) or not _part_fits(part, content_type, "text"):
            return False
        if part.get_content_charset() != "utf-8" or _lines(part.get_content()) != _lines(content):
            return False
    return True


def _attachment_mismatches(parts: list[Message], intent: MessageIntent) -> list[Mismatch]:
    mismatches = []
    for part, attachment in zip(parts, intent.attachments, strict=True):
        if not (
            _part_fits(part, attachment.mime_type, "attachment")
            and part.get_content_disposition() == "attachment"
            and part.get_filename() == attachment.filename
            and part.get_param("name") == attachment.filename
            and part.get_payload(decode=True) == attachment.content
        ):
            mismatches.append(Mismatch("", attachment=attachment.filename))
    return mismatches


def _structure_mismatches(parsed: Message, intent: MessageIntent) -> list[Mismatch]:
    if parsed.defects or list(parsed.keys()) != intent.header_names():
        return [Mismatch("")]
    if not intent.attachments:
        return (
            []
            if parsed.get_content_type() == "multipart/alternative" and _body_fits(parsed, intent)
            else [Mismatch("")]
        )
    parts = parsed.get_payload()
    if parsed.get_content_type() != "multipart/mixed" or not isinstance(parts, list):
        return [Mismatch("")]
    if not parts or not all(isinstance(part, Message) for part in parts):
        return [Mismatch("")]
    alternative, *attachments = [part for part in parts if isinstance(part, Message)]
    if len(attachments) != len(intent.attachments):
        return [Mismatch("")]
    if not (_part_fits(alternative, "multipart/alternative", "alternative") and _body_fits(alternative, intent)):
        return [Mismatch("")]
    return _attachment_mismatches(attachments, intent)


def message_mismatches(raw: bytes, intent: MessageIntent) -> list[Mismatch]:
    parsed = _READER.parsebytes(raw)
    return _header_mismatches(parsed, intent) + _structure_mismatches(parsed, intent)


def _messages(mismatch: Mismatch) -> list[str]:
    marked = any(ENCODED_WORD_MARK in value for value in mismatch.values)
    names = [{"name": value} for value in mismatch.values]
    if mismatch.field == "subject":
        if marked:
            return [
                _(
                    "Le concerne ne peut pas être écrit tel quel dans l'eMail : sa séquence « =?…?= » serait lue "
                    "comme du texte encodé. Retirez-la du concerne, puis envoyez."
                )
            ]
        return [_("Le concerne ne peut pas être écrit tel quel dans l'eMail. Modifiez-le, puis envoyez.")]
    if mismatch.field in ("to", "cc"):
        role = _("À") if mismatch.field == "to" else _("Cc")
        if marked:
            message = _(
                "Le nom « %(name)s » (%(role)s) ne peut pas être écrit tel quel dans l'eMail : sa séquence "
                "« =?…?= » serait lue comme du texte encodé. Retirez-la de ce nom, puis envoyez."
            )
        else:
            message = _(
                "Le destinataire « %(name)s » (%(role)s) ne peut pas être écrit tel quel dans l'eMail. "
                "Modifiez son nom ou son adresse, puis envoyez."
            )
        return [message % {**name, "role": role} for name in names]
    if mismatch.field == "sender":
        if marked:
            message = _(
                "Le nom d'expéditeur « %(name)s » ne peut pas être écrit tel quel dans l'eMail : sa séquence "
                "« =?…?= » serait lue comme du texte encodé. Retirez-la du prénom ou du nom du collaborateur, "
                "ou du nom de l'entreprise et du format du nom d'expéditeur (réglages)."
            )
        else:
            message = _(
                "Le nom d'expéditeur « %(name)s » ne peut pas être écrit tel quel dans l'eMail. Modifiez le nom "
                "du collaborateur, ou le nom de l'entreprise et le format du nom d'expéditeur (réglages)."
            )
        return [message % name for name in names]
    if mismatch.field == "attachments":
        return [
            _(
                "L'annexe « %(name)s » ne peut pas être écrite telle quelle dans l'eMail. Renommez-la "
                "(sans séquence « =?…?= »), puis envoyez."
            )
            % {"name": mismatch.attachment}
        ]
    return [
        _(
            "L'eMail construit ne correspond pas à ce qui a été rédigé ; il n'a pas été envoyé. Vérifiez le "
            "concerne, les destinataires et les annexes, puis envoyez."
        )
    ]


def message_unsafe(mismatches: list[Mismatch]) -> MessageUnsafe:
    # Name the cause: a value with an encoded-word mark breaks the headers after it too, and
    # a value that broke the structure makes the structure's own message a repetition.
    marked = [m for m in mismatches if any(ENCODED_WORD_MARK in value for value in m.values)]
    named = [m for m in mismatches if m.field != "message"]
    errors: dict[str, list[str]] = {}
    for mismatch in marked or named or mismatches:
        for message in _messages(mismatch):
            if message not in errors.get(mismatch.field, []):
                errors.setdefault(mismatch.field, []).append(message)
    return MessageUnsafe(errors)


def message_check(raw: bytes, intent: MessageIntent) -> None:
    mismatches = message_mismatches(raw, intent)
    if mismatches:
        raise message_unsafe(mismatches)
