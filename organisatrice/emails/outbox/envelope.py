"""The SMTP envelope of an OutgoingEmail: who it is from, and every address it goes to."""

import functools
from email.utils import getaddresses

from ..models import OutgoingEmail


def envelope_sender(email: OutgoingEmail) -> str:
    """The envelope sender: the address of the From header."""
    return _address_of(email.from_header)


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
