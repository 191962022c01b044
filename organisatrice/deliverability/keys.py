"""Key pairs: made here (RSA 2048, Ed25519) or read from the operator's PEM file, and the two
forms they take: the public key as the DNS record's p=, the private key as dkimpy signs with."""

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.utils.translation import gettext as _

from .models import DkimAlgorithm

RSA_BITS = 2048
# Shorter RSA keys are refused by receivers (RFC 8301 asks at least 1024, Gmail 2048 for new ones).
RSA_MIN_BITS = 2048
# A PEM file of a private key is a few KB: a path to anything bigger is a mistake.
KEY_FILE_MAX_BYTES = 64 * 1024

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


class KeyInvalid(ValueError):
    """A private key that cannot sign for this algorithm; the message is for the user."""


def private_key_generate(algorithm: str) -> str:
    """A new private key, as PKCS#8 PEM text."""
    key: PrivateKey
    if algorithm == DkimAlgorithm.ED25519:
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def private_key_read_file(path: str) -> str:
    """The PEM text of the operator's key file; KeyInvalid (never its content) if it cannot be read."""
    file = Path(path)
    try:
        if not file.is_absolute():
            raise KeyInvalid(_("Indiquez le chemin complet du fichier de la clé privée."))
        if file.stat().st_size > KEY_FILE_MAX_BYTES:
            raise KeyInvalid(_("Le fichier « %(path)s » est trop grand pour une clé privée.") % {"path": path})
        return file.read_text(encoding="ascii")
    except (OSError, UnicodeError):
        raise KeyInvalid(_("Le fichier « %(path)s » ne peut pas être lu.") % {"path": path}) from None


def private_key_load(pem: str, algorithm: str) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeError):
        raise KeyInvalid(_("Ce n'est pas une clé privée PEM non chiffrée.")) from None
    if algorithm == DkimAlgorithm.ED25519:
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise KeyInvalid(_("La clé n'est pas une clé Ed25519."))
        return key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyInvalid(_("La clé n'est pas une clé RSA."))
    if key.key_size < RSA_MIN_BITS:
        raise KeyInvalid(
            _("La clé RSA n'a que %(bits)d bits ; il en faut au moins %(minimum)d.")
            % {"bits": key.key_size, "minimum": RSA_MIN_BITS}
        )
    return key


def public_key_b64(key: PrivateKey) -> str:
    """The p= of the DNS record."""
    public = key.public_key()
    if isinstance(public, ed25519.Ed25519PublicKey):
        data = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        data = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(data).decode("ascii")


@lru_cache(maxsize=16)
def dkimpy_private_key(pem: str, algorithm: str) -> bytes:
    """The private key as dkimpy takes it: PKCS#1 PEM for RSA, the base64 seed for Ed25519.

    Cached: a Send should not parse and check a 2048-bit key again each time.
    """
    key = private_key_load(pem, algorithm)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        seed = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return base64.b64encode(seed)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
