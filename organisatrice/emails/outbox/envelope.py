"""The SMTP envelope of an OutgoingEmail: who it is from, and every address it goes to.

Each email has its own envelope sender (VERP: `local+token@domain` on the sending
address), so a bounce, which relays return to the envelope sender, names the email it is
about. The same token is the DSN's ENVID, for relays that rewrite the envelope sender.
The token carries an HMAC: a forged bounce cannot point at an email it did not see.
"""

import functools
import re
from email.utils import getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import OutgoingEmail

_HMAC_PURPOSE = "organisatrice.emails.delivery-token"
# "e42-1a2b3c4d5e": lowercase, as some MTAs lowercase local parts.
_TOKEN = re.compile(r"\be(\d{1,18})-([0-9a-f]{10})\b")
VERP_DELIMITER = "+"


def delivery_token(email_id: int) -> str:
    signature = salted_hmac(_HMAC_PURPOSE, str(email_id), algorithm="sha256").hexdigest()[:10]
    return f"e{email_id}-{signature}"


def delivery_token_email_id(text: str) -> int | None:
    """The email a token found in `text` (an address, an ENVID) stands for, if its HMAC holds."""
    for match in _TOKEN.finditer(text.lower()):
        email_id = int(match.group(1))
        if constant_time_compare(delivery_token(email_id), match.group(0)):
            return email_id
    return None


def verp_address(address: str, email_id: int) -> str:
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local}{VERP_DELIMITER}{delivery_token(email_id)}@{domain}"


def envelope_sender(email: OutgoingEmail) -> str:
    """The envelope sender: the address of the From header, with the email's token (VERP)."""
    address = _address_of(email.from_header)
    if settings.EMAIL_VERP and email.pk and address:
        return verp_address(address, email.pk)
    return address


@functools.lru_cache(maxsize=256)
def _address_of(header: str) -> str:
    # A handful of From headers (the company's address under each employee's name)
    # serve thousands of emails; parsing one costs more than the rest of a claim.
    addresses = getaddresses([header])
    return addresses[0][1] if addresses else ""


def envelope_recipients(email: OutgoingEmail) -> list[str]:
    """To, Cc and Bcc addresses, each once: Bcc exists only here, never in a header."""
    seen: set[str] = set()
    recipients = []
    for entry in [*email.to, *email.cc, *email.bcc]:
        address = entry["email"].strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    return recipients
