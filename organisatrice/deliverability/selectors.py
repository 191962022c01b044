"""Reads of the DKIM keys."""

from organisatrice.vault import secret_decrypt

from .keys import private_key_read_file
from .models import DkimAlgorithm, DkimKey


def _domain_and_parents(domain: str) -> list[str]:
    """example.dupont-sa.ch, then dupont-sa.ch: a parent's key still aligns with From under
    DMARC's relaxed mode. A single label (a TLD) is never a signing domain."""
    labels = domain.lower().rstrip(".").split(".")
    return [".".join(labels[start:]) for start in range(len(labels) - 1)]


def dkim_keys_signing_for(address: str) -> list[DkimKey]:
    """The keys that sign mail from this address: those of its domain, else of the nearest parent
    that has any; RSA first, so that a receiver that knows one algorithm only meets it first."""
    candidates = _domain_and_parents(address.rpartition("@")[2])
    keys = list(DkimKey.objects.filter(domain__in=candidates, status=DkimKey.Status.SIGNING))
    for domain in candidates:
        found = [key for key in keys if key.domain == domain]
        if found:
            return sorted(found, key=lambda key: key.algorithm != DkimAlgorithm.RSA)
    return []


def dkim_keys_of_domain(domain: str) -> list[DkimKey]:
    """The keys the domain check looks up: the signing and the pending ones."""
    return list(DkimKey.objects.filter(domain=domain).exclude(status=DkimKey.Status.RETIRED).order_by("created_at"))


def dkim_private_key_pem(key: DkimKey) -> str:
    """The key's PEM: decrypted (SecretUnreadable if no configured key opens it) or read from its
    file (KeyInvalid if it cannot be)."""
    if key.private_key_path:
        return private_key_read_file(key.private_key_path)
    return secret_decrypt(key.private_key_encrypted)
