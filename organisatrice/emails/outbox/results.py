"""What one attempt came to: the server's answer classified, and the texts made from it.

An SmtpResult says accepted, temporary or permanent, with the server's code and words;
the functions below turn it into what the attempt log, the email row and the order's
timeline show.
"""

import enum
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..models import DeliveryAttempt

Outcome = DeliveryAttempt.Outcome


class Stage(enum.StrEnum):
    """Where in the SMTP dialogue a result was decided."""

    CONNECT = "connect"
    MAIL = "MAIL FROM"
    RCPT = "RCPT TO"
    DATA = "DATA"
    LOCAL = "local"  # decided before talking to the server (e.g. the message could not be read)


@dataclass(frozen=True)
class SmtpResult:
    outcome: Outcome
    stage: Stage
    code: int | None = None
    # The server's own words (e.g. "2.0.0 Ok: queued as 4F2A"), without the code.
    reply: str = ""
    # What went wrong when the server gave no reply: a network error, a timeout…
    error: str = ""
    # Recipients the server refused while accepting the message for the others.
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.outcome == Outcome.SENT

    @property
    def server_reply(self) -> str:
        """The reply as the server wrote it: "550 5.1.1 No such user"."""
        if self.code is None:
            return self.reply
        return f"{self.code} {self.reply}".strip()

    def describe(self) -> str:
        """One line for logs and failure reasons: the server's reply, else the error."""
        return self.server_reply or self.error


def refused_text(result: SmtpResult) -> str:
    return _("Destinataires refusés : %(list)s") % {
        "list": " ; ".join(f"{recipient} ({reply})" for recipient, reply in result.refused.items())
    }


def sent_reply(result: SmtpResult) -> str:
    """The email row's record of an acceptance, with the recipients refused meanwhile."""
    if result.refused:
        return f"{result.server_reply}\n{refused_text(result)}"
    return result.server_reply


def attempt_error(result: SmtpResult) -> str:
    parts = [result.error] if result.error else []
    if result.refused:
        parts.append(refused_text(result))
    return "\n".join(parts)


def failure_reason(result: SmtpResult, *, attempt: int) -> str:
    """Why the email failed, for the user: the server's words, else the error."""
    if result.stage == Stage.RCPT and result.refused:
        detail = _("le serveur SMTP a refusé tous les destinataires : %(list)s") % {
            "list": " ; ".join(f"{recipient} ({reply})" for recipient, reply in result.refused.items())
        }
    elif result.code is not None:
        detail = _("le serveur SMTP a répondu « %(reply)s »") % {"reply": result.server_reply}
    else:
        detail = result.error
    if result.outcome == Outcome.PERMANENT:
        return _("Refus définitif : %(detail)s") % {"detail": detail}
    return _("Abandon après %(count)d tentatives. Dernière erreur : %(detail)s") % {"count": attempt, "detail": detail}
