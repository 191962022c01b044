"""What a message from the bounce mailbox says: its kind, and one line per recipient it reports on."""

import enum
from dataclasses import dataclass, field


class ReportKind(enum.StrEnum):
    BOUNCE = "bounce"  # a failed or delayed delivery
    DELIVERED = "delivered"  # a success DSN (Action: delivered, relayed, expanded)
    AUTO_REPLY = "auto_reply"  # RFC 3834: out of office, vacation
    FEEDBACK = "feedback"  # an ARF complaint report
    OTHER = "other"  # an ordinary message: never touched in the mailbox


class Action(enum.StrEnum):
    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    AUTO_REPLIED = "auto_replied"


@dataclass(frozen=True)
class RecipientReport:
    email: str
    action: Action
    # RFC 3463 status (5.1.1), or "" when the report gives none and none can be inferred.
    status: str = ""
    diagnostic: str = ""
    # The address is permanently unusable (unknown user or domain, moved): a hard bounce.
    hard: bool = False
    # The DSN's Original-Recipient, when it differs from the final one.
    original: str = ""


@dataclass(frozen=True)
class ParsedReport:
    kind: ReportKind
    recipients: tuple[RecipientReport, ...] = ()
    # What ties the report to the message that left: the returned headers and DSN fields.
    envelope_id: str = ""
    original_message_id: str = ""
    # Addresses the report was delivered to (To, Delivered-To, X-Original-To…): the VERP address.
    addressed_to: tuple[str, ...] = field(default=())
    subject: str = ""
    sender: str = ""
