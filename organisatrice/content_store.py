"""Content-addressed file storage through Django's storage API (local disk or S3 by settings).

Two kinds of files, both named by a SHA-256 and so written once, whoever writes first:

- blobs, what emails are made of (attachments, frozen messages): named by the hash of
  their bytes and kept as long as a row refers to them;
- derived files (rendered documents, prepared photos, thumbnails, previews): named by the
  hash of their bytes or of everything they are made from, in an area of their own, and
  made again when missing, so that any of them may be deleted at any time.

Storing the same content twice is harmless, which is what lets callers make and store
files before the transaction that records them, never inside it.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile

BLOB_AREA = "blobs"
# A derived file of no bytes: making it was tried, and nothing could be made.
NOTHING_MADE = b""
# What a maker returns: bytes, or None when nothing can be made from the inputs.
Made = TypeVar("Made", bytes, bytes | None)
_HEX = frozenset("0123456789abcdef")


def _stored_name(area: str, key: str, extension: str) -> str:
    if len(key) != 64 or not _HEX.issuperset(key):
        raise ValueError("not a SHA-256 hex digest")
    return f"{area}/{key[:2]}/{key}{extension}"


def _put(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Two writers stored the same name at once; the second copy is redundant.
        default_storage.delete(saved)


def blob_name(sha256: str) -> str:
    return _stored_name(BLOB_AREA, sha256, "")


def blob_put(data: bytes) -> str:
    """Stores the bytes unless already there; returns their SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    _put(blob_name(sha256), data)
    return sha256


def blob_read(sha256: str) -> bytes:
    with default_storage.open(blob_name(sha256), "rb") as stored:
        data: bytes = stored.read()
    return data


def derived_key(*inputs: str) -> str:
    """The SHA-256 of everything a derived file is made from, in order."""
    digest = hashlib.sha256()
    for part in inputs:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def derived_name(*, area: str, key: str, extension: str = "") -> str:
    return _stored_name(area, key, extension)


def derived_put(data: bytes, *, area: str, extension: str = "") -> str:
    """Stores the bytes under their own SHA-256 in `area` (once); returns the storage name."""
    name = derived_name(area=area, key=hashlib.sha256(data).hexdigest(), extension=extension)
    _put(name, data)
    return name


def derived_read(name: str) -> bytes | None:
    """A derived file's bytes, or None when it is gone (it can be made again)."""
    try:
        with default_storage.open(name, "rb") as stored:
            data: bytes = stored.read()
    except OSError:
        return None
    return data


def derived_get_or_make(*, area: str, key: str, make: Callable[[], Made], extension: str = "") -> Made:
    """The file stored under `key` (a `derived_key`), made and stored first when missing.

    `make` may return None (nothing can be made from these inputs): nothing is stored then.
    Two callers may both make it; the first one stored is kept, each returns its own.
    """
    name = derived_name(area=area, key=key, extension=extension)
    stored = derived_read(name)
    if stored is not None:
        return stored
    data = make()
    if data is not None:
        _put(name, data)
    return data


def derived_get_or_try(*, area: str, key: str, make: Callable[[], bytes | None], extension: str = "") -> bytes | None:
    """Like `derived_get_or_make`, but a None is kept too (as an empty file).

    For what is slow to fail: the next caller gets None at once instead of trying again.
    """
    made = derived_get_or_make(area=area, key=key, extension=extension, make=lambda: make() or NOTHING_MADE)
    return made or None


def derived_delete(name: str) -> None:
    default_storage.delete(name)


def file_identity(file: FieldFile) -> str:
    """Who an uploaded file is, without reading it: name, size and modification time.

    A name alone is not enough: once a file is deleted, storage may hand the same name to
    a different upload. Raises OSError when the file is gone.
    """
    storage = file.storage
    name = file.name or ""
    try:
        modified = storage.get_modified_time(name).isoformat()
    except NotImplementedError:
        modified = ""
    return f"{name}|{storage.size(name)}|{modified}"
