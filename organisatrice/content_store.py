"""Content-addressed file storage: every attachment and every frozen message is stored
once, under its SHA-256, through Django's storage API (local disk or S3 by settings)."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def blob_name(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"blobs/{sha256[:2]}/{sha256}"


def blob_put(data: bytes) -> str:
    """Stores the bytes unless already there; returns their SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = blob_name(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            # Two writers stored the same content at once; the copy is redundant.
            default_storage.delete(saved)
    return sha256


def blob_read(sha256: str) -> bytes:
    with default_storage.open(blob_name(sha256), "rb") as stored:
        data: bytes = stored.read()
    return data
