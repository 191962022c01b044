"""The DKIM signature of a message, added when Send freezes it (emails.composer.sending).

The signed bytes are what is stored, archived, downloaded as .eml and handed to the relay,
retries included: nothing signs again later, so the record and the wire never differ.
"""

import dkim
from django.utils.translation import gettext as _

from organisatrice.vault import SecretUnreadable

from .keys import KeyInvalid, dkimpy_private_key
from .models import DkimKey
from .selectors import dkim_keys_signing_for, dkim_private_key_pem

# From twice: over-signed, so that no From can be added above it without breaking the
# signature. A header absent from the message (Cc, Reply-To) is signed as absent, so none
# can be added either.
SIGNED_HEADERS = (
    b"from",
    b"from",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
)
# Headers relaxed: a relay that refolds one keeps the signature. Body simple: the body Send
# builds is 7-bit (quoted-printable, base64), CRLF, without trailing space, so no relay has
# anything to rewrite there, and dkimpy's relaxed body pass (regular expressions over every
# byte) would cost 0.4 s on a 2.6 MB message for nothing.
CANONICALIZATION = (b"relaxed", b"simple")


class SigningUnavailable(Exception):
    """A signing key exists for the sender's domain, but cannot sign now; the message is for the user."""


def _signature(message: dkim.DKIM, key: DkimKey) -> bytes:
    try:
        private = dkimpy_private_key(dkim_private_key_pem(key), key.algorithm)
    except (SecretUnreadable, KeyInvalid) as error:
        raise SigningUnavailable(
            _(
                "La clé DKIM %(key)s ne peut pas être lue (%(reason)s) : l'eMail n'a pas été envoyé. "
                "Un administrateur doit la remplacer ou la retirer (Backoffice, clés DKIM)."
            )
            % {"key": key, "reason": error if isinstance(error, KeyInvalid) else _("clé de chiffrement absente")}
        ) from error
    return bytes(
        message.sign(
            key.selector.encode("ascii"),
            key.domain.encode("ascii"),
            private,
            signature_algorithm=key.algorithm.encode("ascii"),
            canonicalize=CANONICALIZATION,
            include_headers=list(SIGNED_HEADERS),
        )
    )


def message_sign(raw: bytes, *, sender_address: str) -> bytes:
    """The message with one DKIM-Signature per signing key of the sender's domain, on top.

    Unchanged when the domain has no signing key. Raises SigningUnavailable when it has one
    that cannot be read: sending unsigned then would hide the fault until mail lands in spam.
    """
    keys = dkim_keys_signing_for(sender_address)
    if not keys:
        return raw
    return b"".join(_signature(_parsed(raw), key) for key in keys) + raw


def _parsed(raw: bytes) -> dkim.DKIM:
    """dkimpy's view of the message, its parser given the header alone: it would split and join
    every line of the body again (0.27 s for 2.6 MB), where the body is the bytes after the
    blank line as they are."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return dkim.DKIM(raw, linesep=b"\r\n")
    message = dkim.DKIM(raw[: end + 4], linesep=b"\r\n")
    message.body = raw[end + 4 :]
    return message
