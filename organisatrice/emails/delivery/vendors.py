"""The bounces that are not RFC 3464 reports: Exim, qmail, Gmail, Yahoo, Exchange, GMX, DragonFly…

flufl.bounce finds the failed addresses of the formats it knows; the patterns here find
them in the others. For each address, the lines of the text around it give the status
code and the diagnostic, from which classes.py says hard or soft.
"""

import email
import email.policy
import re
from email.message import Message

from flufl.bounce import all_failures

from .classes import is_hard
from .dsn import STATUS_CODE, status_in
from .reports import Action, RecipientReport
from .text import address_context

FLUFL_MAX_BYTES = 64 * 1024
_SENDER = re.compile(
    r"mailer[-_ ]?daemon|postmaster|mail ?delivery|delivery ?subsystem|mail ?administrator|"
    r"microsoftexchange|mail ?system|returned|bounce|nobody@|administrator",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status )?notification|delivery (?:has )?failed|failure notice|"
    r"delivery failure|mail delivery|returned mail|non[- ]?delivery|could not be delivered|"
    r"nondeliverable|unzustellbar|non remis|mail system error|could not send|delayed mail|"
    r"delivery problem|failed delivery|not delivered|rejected|error sending|delivery report|"
    r"returned to sender|mail failure|message status|warning|delivery final|unable to deliver|"
    r"notificación|failed|fehlgeschlagen|échec",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
# Lines that name a failed address in the formats flufl.bounce does not know.
_FAILED_LINES = [
    re.compile(p, re.IGNORECASE | re.MULTILINE)
    for p in (
        r"error delivering your mail to <?(\S{1,64}@[^\s>]{1,255}?)>?\.?\s*$",  # DragonFly
        r"^\s*Recipient address:\s*<?(\S{1,64}@[^\s>]{1,255})>?",
        r"^\s*Error for:\s*<?(\S{1,64}@[^\s>]{1,255})>?",
        r"^\s*Failed recipient:\s*<?(\S{1,64}@[^\s>]{1,255})>?",
        r"^\s*Original-Recipient:\s*(?:rfc822;)?\s*<?(\S{1,64}@[^\s>]{1,255})>?",
        r"^\s*Final-Recipient:\s*(?:rfc822;)?\s*<?(\S{1,64}@[^\s>]{1,255})>?",
        r"^\s*(?:To|Recipient|Destinataire|Empfänger)\s*:\s*<?([^\s<>]{1,64}@[^\s<>]{1,255})>?\s*$",
        r"^\s*<([^\s<>]{1,64}@[^\s<>]{1,255})>\s*[:.]?\s*$",
        r"^\s*<([^\s<>]{1,64}@[^\s<>]{1,255})>\s*(?:\(expanded from|:|\.\.\.|\s+\d{3}\s)",
        r"delivery to the following recipients? failed[^\n]{0,200}\n+\s*<?([^\s<>]{1,64}@[^\s<>]{1,255})>?",
        r"could not be delivered to[^\n]{0,200}?<?([^\s<>]{1,64}@[^\s<>]{1,255}?)>?[\s:.]",
        r"(?:message|mail) (?:to|for) <?([^\s<>]{1,64}@[^\s<>]{1,255}?)>? (?:was|could|has|is)",
        r"^\s*([^\s<>]{1,64}@[^\s<>]{1,255})\s*$",
        r"^\s*>>> ([^\s<>]{1,64}@[^\s<>]{1,255})",
        r"^\s*(?:In|Sent)\s*(?::|<<<)\s*RCPT TO:\s*<([^\s<>]{1,64}@[^\s<>]{1,255})>",
        r"^[\s-]*([^\s<>]{1,64}@[^\s<>]{1,255})\s*(?:\[|\(|:)",
        r"Address: <([^\s<>]{1,64}@[^\s<>]{1,255})>",
        r"(?:delivered|delivery) to:?\s*<?([^\s<>]{1,64}@[^\s<>]{1,255}?)>?\s*$",
        r"(?:recipients?|addresses?)[^\n:]{0,200}:\s*<?([^\s<>]{1,64}@[^\s<>]{1,255}?)>?[.,]?\s",
    )
]
# The block of failed addresses under sendmail's and its kin's heading.
_ADDRESS_BLOCK = re.compile(
    r"following addresses? had (?:permanent fatal |fatal |delivery |transient non-fatal )?errors\s*-*\s*\n"
    r"((?:[^\n]*\S[^\n]*\n)+)",
    re.IGNORECASE,
)
# sendmail's transcript, one line per failed address: "554 <a@b>... Remote protocol error".
_TRANSCRIPT_LINE = re.compile(r"^\s*[45]\d\d <([^\s<>]{1,64}@[^\s<>]{1,255})>\.\.\.", re.MULTILINE)
_HEADER_LINE = re.compile(r"^\s*(?:From|Return-Path|Reply-To|Sender)\s*:.*$", re.IGNORECASE | re.MULTILINE)
_MESSAGE_ID = re.compile(r"(?:Message-I[Dd]|References|In-Reply-To)\s*:\s*<([^<>\s]+)>", re.IGNORECASE)
_END_OF_REPORT = re.compile(
    r"^(?:-+ ?(?:original message|this is a copy|headers? of|below this line)|"
    r"\s*-{3,}.*(?:original|returned|headers)|message headers follow|original message headers|"
    r"the original message (?:follows|is attached|headers)|.*(?:headers|copy) of (?:the|your) (?:original )?message|"
    r"original message follows|reporting-mta:|"
    r"original message:|received: from |return-path: )",
    re.IGNORECASE | re.MULTILINE,
)


def sent_by_mail_system(message: Message) -> bool:
    """Sent by a mail system (mailer-daemon, postmaster…), or naming its failed recipients."""
    return bool(message.get("X-Failed-Recipients") or _SENDER.search(str(message.get("From", ""))))


def looks_like_bounce(message: Message) -> bool:
    """A mail system's report rather than a person's message: by its sender, subject or headers."""
    if sent_by_mail_system(message) or "<>" in str(message.get("Return-Path", "")):
        return True
    return bool(_SUBJECT.search(str(message.get("Subject", ""))))


def _unquoted(text: str) -> str:
    """A forwarded bounce, quoted line by line, read as if it were not."""
    lines = text.splitlines()
    quoted = sum(1 for line in lines if line.startswith("> ") or line == ">")
    if quoted * 2 < len(lines):
        return text
    return "\n".join(line[2:] if line.startswith("> ") else line.lstrip(">") for line in lines)


def _report_part(text: str) -> str:
    """The text before the returned message's copy, where the failure is described."""
    match = _END_OF_REPORT.search(text)
    return text[: match.start()] if match else text


def _flufl_addresses(message: Message, raw: bytes) -> list[str]:
    if len(raw) > FLUFL_MAX_BYTES:
        # Its detectors read every line with every pattern: they get the report's beginning only.
        message = email.message_from_bytes(raw[:FLUFL_MAX_BYTES], policy=email.policy.compat32)
    try:
        temporary, permanent = all_failures(message)
    except Exception:
        # A detector choking on a malformed message must not hide the others' findings.
        return []
    found = []
    for address in [*permanent, *temporary]:
        decoded = address.decode("ascii", errors="replace") if isinstance(address, bytes) else str(address)
        found.append(decoded.strip("<>").lower())
    return found


def _own_addresses(report: str) -> list[str]:
    found: list[str] = []
    for block in _ADDRESS_BLOCK.finditer(report):
        found.extend(a.lower() for a in _ADDRESS.findall(block.group(1)))
    if found:
        return found
    for pattern in _FAILED_LINES:
        found = [m.group(1).strip("<>.,;:'\"[]()").lower() for m in pattern.finditer(report)]
        found = [address for address in found if _ADDRESS.fullmatch(address)]
        if found:
            return found
    return [a.lower() for a in _ADDRESS.findall(report)]


def _not_recipients(message: Message, text: str) -> set[str]:
    """Addresses a bounce names that are not failed recipients: its own sender and addressee
    (the original sender), the returned message's sender, and Message-IDs."""
    excluded = {m.lower() for m in _MESSAGE_ID.findall(text)}
    for name in ("From", "To", "Reply-To", "Sender", "Return-Path", "Message-ID"):
        excluded.update(a.lower() for a in _ADDRESS.findall(str(message.get(name, ""))))
    for part in message.walk():
        payload = part.get_payload()
        if part.get_content_type() == "message/rfc822" and isinstance(payload, list) and payload:
            if not isinstance(payload[0], Message):
                continue
            for name in ("From", "Reply-To", "Sender", "Return-Path", "Message-ID"):
                excluded.update(a.lower() for a in _ADDRESS.findall(str(payload[0].get(name, ""))))
    # The original message's headers copied into the text: its From and Return-Path.
    for match in _HEADER_LINE.finditer(text):
        first = _ADDRESS.search(match.group(0))
        if first:
            excluded.add(first.group(0).lower())
    return excluded


def vendor_recipients(message: Message, text: str, raw: bytes) -> list[RecipientReport]:
    report = _report_part(_unquoted(text))
    excluded = _not_recipients(message, text)
    header = str(message.get("X-Failed-Recipients", ""))
    addresses: list[str] = []
    for source in (
        lambda: _ADDRESS.findall(header.lower()),
        lambda: _flufl_addresses(message, raw),
        lambda: _own_addresses(report),
    ):
        addresses = [a for a in source() if a not in excluded and not a.startswith("mailer-daemon@")]
        if addresses:
            break
    # A transcript names every address it failed, where a detector may have kept the first.
    addresses += [a.lower() for a in _TRANSCRIPT_LINE.findall(report) if a.lower() not in excluded]
    recipients: list[RecipientReport] = []
    unique = tuple(dict.fromkeys(addresses))
    for address in unique:
        context = address_context(report, address, unique) or report[:3000]
        if len(unique) == 1 and not STATUS_CODE.search(context):
            # One recipient: the whole report is about it, the reason may come before its address.
            context = report[:3000]
        status = status_in(context) or _status_from_reply(context)
        delayed = status.startswith("4") or _delayed(context)
        if not status:
            status = "4.0.0" if delayed else "5.0.0"
        recipients.append(
            RecipientReport(
                email=address,
                action=Action.DELAYED if delayed else Action.FAILED,
                status=status,
                diagnostic=" ".join(context.split())[:1000],
                hard=not delayed and is_hard(status, context, context, command_known=bool(_SMTP_TALK.search(context))),
            )
        )
    return recipients


# A server's SMTP replies quoted: the report could say at which command it was refused.
_SMTP_TALK = re.compile(r"\bSMTP\b|said:|<<<|>>>|(?<![\d.])[45]\d\d[ :-]")
_REPLY = re.compile(r"(?<!\d)([45])\d\d[ -]")
_DELAY = re.compile(r"will (?:keep )?(?:try|retry)|not yet been delivered|delayed|still trying|temporar", re.I)


def _status_from_reply(context: str) -> str:
    match = _REPLY.search(context)
    return f"{match.group(1)}.0.0" if match else ""


def _delayed(context: str) -> bool:
    return bool(_DELAY.search(context)) and not STATUS_CODE.search(context)
