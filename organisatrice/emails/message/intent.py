"""What a message is meant to say, as message_build receives it and checks.py compares it with the bytes."""

from collections.abc import Sequence
from dataclasses import dataclass

from .recipients import Recipient

MIME_HEADERS = ["MIME-Version", "Content-Type"]


@dataclass(frozen=True)
class AttachmentContent:
    """A file to attach, as Send hands it to the message."""

    filename: str
    content_type: str
    content: bytes

    @property
    def mime_type(self) -> str:
        maintype, _, subtype = self.content_type.partition("/")
        return f"{maintype}/{subtype or 'octet-stream'}".lower()


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows from inside the message (`<img src="cid:…">`): the company logo."""

    content: bytes
    mime_type: str
    content_id: str  # without the angle brackets
    width: int  # as shown, in CSS pixels
    height: int
    alt: str

    @property
    def src(self) -> str:
        return f"cid:{self.content_id}"


@dataclass(frozen=True)
class MessageIntent:
    sender: Recipient
    reply_to: Recipient | None
    to: list[Recipient]
    cc: list[Recipient]
    subject: str
    date: str
    message_id: str
    text: str
    html: str
    attachments: Sequence[AttachmentContent]
    logo: InlineImage | None = None

    def address_headers(self) -> dict[str, list[Recipient]]:
        reply_to = [self.reply_to] if self.reply_to else []
        headers = {"From": [self.sender], "To": self.to, "Cc": self.cc, "Reply-To": reply_to}
        return {name: recipients for name, recipients in headers.items() if recipients}

    def header_names(self) -> list[str]:
        """The top-level headers message_build writes, in its order; then the email package's two."""
        addresses = self.address_headers()
        names = [name for name in ["From", "To", "Cc", "Reply-To"] if name in addresses]
        return [*names, "Subject", "Date", "Message-ID", *MIME_HEADERS]
