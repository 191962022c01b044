"""Hard or soft: whether the address itself is unusable, from the status code and the diagnostic.

Hard (the address is permanently bad): unknown user, unknown or mail-less domain, moved.
Everything else a server refuses (a full mailbox, a suspended account, spam, policy,
reputation, timeouts, the sender's own address) is soft: the same address may work
tomorrow. Most bounces say only 5.0.0, so the words decide more often than the code.
"""

import re

# Checked first: a refusal for these reasons says nothing against the address.
_SOFT = re.compile(
    r"quota|mailbox (?:is )?full|over ?quota|insufficient (?:disk )?space|exceeded (?:the )?storage|"
    r"mailbox size limit|storage (?:space|allocation)|disk full|"
    r"suspend|disabled|deactivated|not active|locked|expired|is no longer active|"
    r"temporar|try again|try later|timed? ?out|deferred|too many|rate limit|throttl|exceeded the rate|"
    r"spam|junk|blacklist|blocklist|black list|block ?list|blocked|reputation|"
    r"\brbl\b|dnsbl|spamhaus|barracuda|"
    r"policy|dmarc|\bspf\b|\bdkim\b|authenticat|not authorized|unauthenticated|access denied|"
    r"reverse dns|ptr record|reverse lookup|"
    r"virus|malware|content (?:rejected|filter|policy)|prohibited|message (?:is )?too (?:big|large)|size exceeds|"
    r"relay(?:ing)? (?:access )?denied|not permitted to relay|relay not permitted|open relay|"
    r"filtered|rejected for policy|mail loop|loops back|too many hops|recipient preferences|"
    r"\btls\b|starttls|encryption|"
    # The sender's address or domain refused, not the recipient's.
    r"sender address|domain of sender|sender rejected|sender domain|envelope sender|after MAIL FROM|"
    r">>> MAIL From:[^\n]*\n\s*<<< [45]",
    re.IGNORECASE,
)

# The mailbox is unknown: believed only of a refusal at RCPT (or a X.1.x status), since
# a filter that speaks after DATA says "user unknown" too.
_USER_UNKNOWN = re.compile(
    r"user unknown|unknown user|no such (?:user|recipient|mailbox|person|address|account|local user)|"
    r"user (?:does not exist|doesn't exist|not found|not exist|is unknown|not listed|invalid)|"
    r"(?:recipient|mailbox|account|address|addressee) (?:does not exist|doesn't exist|not found|unknown|"
    r"invalid|is invalid|not listed|unavailable)|"
    r"does not exist|doesn't exist|unknown (?:recipient|mailbox|address|local[- ]part|alias)|"
    r"invalid (?:recipient|mailbox|address|user|final delivery)|not a valid (?:mailbox|user|recipient)|"
    r"no mailbox|mailbox not found|unrouteable address|unroutable address|not listed in|not recognized|"
    r"doesn't have a [^ ]+ account|not our customer|no longer (?:available|valid)|bad destination mailbox|"
    r"undeliverable address",
    re.IGNORECASE,
)
# The domain has no mail server, or the address moved: whatever the command.
_HOST_UNKNOWN = re.compile(
    r"host (?:or domain name )?not found|host [^ ]+ not found|host unknown|unknown host|invalid domain|"
    r"domain (?:not found|does not exist|unknown|is not reachable)|no such domain|unrouteable domain|"
    r"nxdomain|no mx|null mx|couldn't find a mail exchanger|no mail exchanger|does not like recipient|"
    r"does not accept mail|accepts no mail|has moved|moved permanently|address changed",
    re.IGNORECASE,
)
_AT_RCPT = re.compile(r"RCPT TO|RCPT command|>>> RCPT|after RCPT|RCPT\b", re.IGNORECASE)

# Unambiguous: these win over the soft words that may stand in the same text.
_ALWAYS_HARD = re.compile(
    r"host unknown|domain is not reachable|couldn't find a mail exchanger|not accepting (?:network )?messages|"
    r"doesn't have a [^ ]+ account|\baddress rejected\.|"
    # Exchange Online's directory-based edge blocking: the recipient is not in the directory.
    r"recipient address rejected: access denied|"
    r"requested action not taken: mailbox unavailable|"
    r"\b(?:521|556)[ -]",
    re.IGNORECASE,
)
# Addresses and links' paths are not words: "filtered@example.org" says nothing of a filter
# (a link's host may: www.spamhaus.org).
_ADDRESS = re.compile(r"\S{1,64}@\S{1,255}")
_LINK_PATH = re.compile(r"(https?://[^/\s]{1,255})\S*")

# 5.1.351: Exchange Online's "unknown recipient or mailbox unavailable".
_HARD_STATUSES = {"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.1.351"}
# Refused after DATA: the RCPT was accepted, so the address exists and a content filter
# spoke, whatever its words ("user unknown" included).
_AFTER_DATA = re.compile(
    # Not sendmail's ">>> DATA" transcript: pipelined, the replies after it are the RCPTs'.
    r"in reply to end of DATA|after end of data|SMTP command:?\s*DATA|after DATA command",
    re.IGNORECASE,
)


def is_hard(status: str, diagnostic: str, context: str = "", *, command_known: bool = False) -> bool:
    """A hard bounce: a permanent failure that condemns the address, not the message or the moment.

    `context`: the report's own words about the recipient, which say at which command the
    refusal came, and stand for the diagnostic where the report gives none. A report that
    names the command for its refusals (`command_known`, an RFC 3464 one) is believed to
    say "unknown user" of a mailbox only at RCPT.
    """
    if status and not status.startswith("5"):
        return False
    if status in ("5.1.7", "5.1.8") or _AFTER_DATA.search(context):
        return False
    words = _LINK_PATH.sub(r"\1", _ADDRESS.sub(" ", diagnostic if diagnostic.strip() else context))
    if _ALWAYS_HARD.search(words):
        return True
    if _SOFT.search(words):
        return False
    if status in _HARD_STATUSES or _HOST_UNKNOWN.search(words):
        return True
    if command_known and not _AT_RCPT.search(f"{diagnostic}\n{context}"):
        return False
    return bool(_USER_UNKNOWN.search(words))
