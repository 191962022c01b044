"""Secrets the product keeps for others (DKIM private keys, mailbox passwords), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key that lives outside the
database: `SECRETS_ENCRYPTION_KEYS`, one or more Fernet keys separated by commas, the first one
encrypting and every one decrypting, so a key is rotated by putting the new one first (and
dropping the old one once `secret_reencrypt` has passed over what is stored). A copy of the
database alone therefore reveals no password or private key.

Local and test settings derive a key from SECRET_KEY when none is set; production refuses to
start without one (see config/settings/production.py).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys opens (key lost or rotated away)."""


def key_from_passphrase(passphrase: str) -> str:
    """A Fernet key derived from any string: for local use only, where no key was generated."""
    digest = hashlib.sha256(b"organisatrice-vault:" + passphrase.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("SECRETS_ENCRYPTION_KEYS is empty: no secret can be stored.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SECRETS_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
        ) from exc


def _current() -> MultiFernet:
    return _fernet(tuple(settings.SECRETS_ENCRYPTION_KEYS))


def secret_encrypt(plaintext: str) -> str:
    """The text encrypted under the first key, as ASCII fit for a text column."""
    return _current().encrypt(plaintext.encode()).decode("ascii")


def secret_decrypt(token: str) -> str:
    """The text back; SecretUnreadable when no configured key opens it."""
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadable("This secret was encrypted with a key that is no longer configured.") from exc


def secret_reencrypt(token: str) -> str:
    """The same secret under the current first key (after a rotation)."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SecretUnreadable("This secret was encrypted with a key that is no longer configured.") from exc
