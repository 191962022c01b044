"""A development SMTP server that keeps every message it receives as an .eml file."""

import datetime
import email
import email.policy
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings


def sink_dir() -> Path:
    return Path(settings.VAR_DIR) / "mail-sink"


class SinkHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}"
        content = envelope.original_content or b""
        (self.directory / f"{name}.eml").write_bytes(content)
        recipients = "\n".join(envelope.rcpt_tos)
        (self.directory / f"{name}.rcpt").write_text(f"{envelope.mail_from}\n{recipients}\n")
        return "250 2.0.0 Message accepted for delivery"


@dataclass(frozen=True)
class CaughtMessage:
    name: str
    received_at: datetime.datetime
    envelope_from: str
    envelope_to: list[str]
    subject: str
    from_header: str
    to_header: str
    size: int


def sink_messages(*, limit: int = 200) -> list[CaughtMessage]:
    """What the sink caught, newest first."""
    directory = sink_dir()
    if not directory.exists():
        return []
    caught = []
    for path in sorted(directory.glob("*.eml"), reverse=True)[:limit]:
        raw = path.read_bytes()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        rcpt_path = path.with_suffix(".rcpt")
        envelope = rcpt_path.read_text().splitlines() if rcpt_path.exists() else [""]
        caught.append(
            CaughtMessage(
                name=path.stem,
                received_at=datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC),
                envelope_from=envelope[0],
                envelope_to=envelope[1:],
                subject=str(message.get("Subject", "")),
                from_header=str(message.get("From", "")),
                to_header=str(message.get("To", "")),
                size=len(raw),
            )
        )
    return caught


def sink_message_path(name: str) -> Path | None:
    path = sink_dir() / f"{Path(name).name}.eml"
    return path if path.exists() else None
