"""The content store: blobs by the hash of their bytes, derived files made once and kept."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from organisatrice.content_store import (
    blob_name,
    blob_put,
    blob_read,
    derived_get_or_make,
    derived_get_or_try,
    derived_key,
    derived_name,
    derived_put,
    derived_read,
    file_identity,
)

from .factories import PhotoFactory, jpeg_bytes


def test_a_blob_is_stored_once_under_its_sha256():
    sha256 = blob_put(b"%PDF-1.7 rapport")

    assert sha256 == hashlib.sha256(b"%PDF-1.7 rapport").hexdigest()
    assert blob_put(b"%PDF-1.7 rapport") == sha256
    assert blob_read(sha256) == b"%PDF-1.7 rapport"
    assert default_storage.listdir(f"blobs/{sha256[:2]}")[1] == [sha256]


def test_only_sha256_digests_name_files():
    with pytest.raises(ValueError):
        blob_name("../../etc/passwd")
    with pytest.raises(ValueError):
        derived_name(area="previews", key="A" * 64)


def test_a_derived_file_is_made_once_then_read_back():
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return b"thumbnail"

    key = derived_key("photo.jpg|1234|2026-11-20", "jpeg|320")
    assert derived_get_or_make(area="thumbnails", key=key, extension=".jpg", make=make) == b"thumbnail"
    assert derived_get_or_make(area="thumbnails", key=key, extension=".jpg", make=make) == b"thumbnail"
    assert made == [1]
    assert derived_read(derived_name(area="thumbnails", key=key, extension=".jpg")) == b"thumbnail"


def test_what_cannot_be_made_is_not_stored():
    key = derived_key("nothing")
    assert derived_get_or_make(area="previews", key=key, make=lambda: None) is None
    assert derived_read(derived_name(area="previews", key=key)) is None


def test_what_failed_once_is_remembered_when_asked():
    tried: list[int] = []

    def make() -> bytes | None:
        tried.append(1)
        return None

    key = derived_key("too slow")
    assert derived_get_or_try(area="previews", key=key, extension=".png", make=make) is None
    assert derived_get_or_try(area="previews", key=key, extension=".png", make=make) is None
    assert tried == [1]
    assert derived_get_or_try(area="previews", key=derived_key("fine"), make=lambda: b"png") == b"png"
    assert derived_get_or_try(area="previews", key=derived_key("fine"), make=lambda: pytest.fail("again")) == b"png"


def test_a_derived_file_deleted_is_made_again():
    key = derived_key("again")
    derived_get_or_make(area="previews", key=key, make=lambda: b"first")
    default_storage.delete(derived_name(area="previews", key=key))
    assert derived_get_or_make(area="previews", key=key, make=lambda: b"second") == b"second"


def test_a_derived_file_put_by_content_is_named_by_its_hash():
    name = derived_put(b"%PDF", area="documents/renders", extension=".pdf")
    digest = hashlib.sha256(b"%PDF").hexdigest()
    assert name == f"documents/renders/{digest[:2]}/{digest}.pdf"
    assert derived_put(b"%PDF", area="documents/renders", extension=".pdf") == name
    assert derived_read(name) == b"%PDF"


def test_keys_keep_their_inputs_apart():
    assert derived_key("ab", "c") != derived_key("a", "bc")


@pytest.mark.django_db
def test_a_replaced_upload_has_another_identity():
    photo = PhotoFactory.create()
    before = file_identity(photo.image)
    name = photo.image.name
    photo.image.storage.delete(name)
    photo.image.storage.save(name, ContentFile(jpeg_bytes(width=200, height=100)))
    assert file_identity(photo.image) != before
