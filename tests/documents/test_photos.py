import hashlib
import io

import pytest
from PIL import ExifTags, Image
from pypdf import PdfReader

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.photos import image_prepare
from organisatrice.documents.services import document_render, photo_prepare_for_email

from .bombs import png_bomb
from .factories import PhotoFactory, jpeg_bytes

pytestmark = pytest.mark.django_db


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _is_red(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


def test_exif_orientation_is_applied():
    # Stored landscape, red on the left; orientation 6 says "turn it a quarter clockwise".
    photo = PhotoFactory.create(width=400, height=300, orientation=6)
    prepared = _open(photo_prepare_for_email(photo=photo))
    assert prepared.size == (300, 400)
    assert _is_red(prepared.getpixel((150, 20)))
    assert not _is_red(prepared.getpixel((150, 380)))
    assert prepared.getexif().get(ExifTags.Base.Orientation, 1) == 1


def test_large_photos_are_scaled_to_a_2000_px_long_edge_as_jpeg():
    photo = PhotoFactory.create(width=4000, height=3000)
    data = photo_prepare_for_email(photo=photo)
    prepared = _open(data)
    assert prepared.format == "JPEG"
    assert prepared.size == (2000, 1500)


def test_small_photos_are_not_enlarged():
    photo = PhotoFactory.create(width=640, height=480)
    assert _open(photo_prepare_for_email(photo=photo)).size == (640, 480)


def test_the_long_edge_follows_the_setting(settings):
    settings.DOCUMENTS_PHOTO_LONG_EDGE = 1000
    photo = PhotoFactory.create(width=1500, height=3000)
    assert _open(photo_prepare_for_email(photo=photo)).size == (500, 1000)


def test_no_location_nor_other_revealing_metadata_leaves():
    photo = PhotoFactory.create()
    with photo.image.open("rb") as original:
        assert Image.open(original).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the fixture carries GPS"
    data = photo_prepare_for_email(photo=photo)
    exif = _open(data).getexif()
    assert ExifTags.IFD.GPSInfo not in exif
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
    assert ExifTags.Base.BodySerialNumber not in exif.get_ifd(ExifTags.IFD.Exif)
    assert b"GPS" not in data and b"Fictional Camera" not in data and b"SN-123456" not in data
    # When it was taken is harmless and useful to the recipient's photo viewer.
    assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2026:11:20 10:14:59"


def test_comments_and_xmp_are_dropped():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>46,31.175N</exif:GPSLatitude></x:xmpmeta>'
    original = jpeg_bytes(comment=b"chez M. Dupont", xmp=xmp)
    assert b"GPSLatitude" in original and b"Dupont" in original
    data = image_prepare(io.BytesIO(original), long_edge=2000, quality=85)
    assert b"Dupont" not in data and b"GPSLatitude" not in data and b"xmpmeta" not in data
    assert "comment" not in _open(data).info and "xmp" not in _open(data).info


def test_the_original_stays_untouched():
    photo = PhotoFactory.create(orientation=6)
    with photo.image.open("rb") as original:
        before = hashlib.sha256(original.read()).hexdigest()
    photo_prepare_for_email(photo=photo)
    photo.refresh_from_db()
    with photo.image.open("rb") as original:
        assert hashlib.sha256(original.read()).hexdigest() == before


def test_transparent_and_cmyk_images_become_plain_rgb_jpeg():
    transparent = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(transparent, "PNG")
    prepared = _open(image_prepare(io.BytesIO(transparent.getvalue()), long_edge=2000, quality=85))
    assert prepared.mode == "RGB" and prepared.getpixel((10, 10)) == (255, 255, 255)  # white, not black
    cmyk = io.BytesIO()
    Image.new("CMYK", (50, 40), (0, 255, 255, 0)).save(cmyk, "JPEG")
    assert _open(image_prepare(io.BytesIO(cmyk.getvalue()), long_edge=2000, quality=85)).mode == "RGB"


def test_a_photo_attachment_is_the_prepared_jpeg_with_a_jpg_name():
    photo = PhotoFactory.create(width=3000, height=2000, orientation=6, caption="Nouvelle pompe")
    document = document_render(
        order=photo.order, kind=DocumentKind.PHOTOS, selection={"photo": photo.pk}, language="fr"
    )
    assert document.content_type == "image/jpeg"
    assert document.filename == f"{photo.order.number}_Photo_Nouvelle-pompe_2026-11-20.jpg"
    prepared = _open(document.content)
    assert prepared.size == (1333, 2000)
    assert ExifTags.IFD.GPSInfo not in prepared.getexif()


def test_photos_inside_the_documentation_are_prepared_too():
    photo = PhotoFactory.create(width=400, height=300, orientation=6)
    document = document_render(
        order=photo.order,
        kind=DocumentKind.PHOTO_DOCUMENTATION,
        selection={"photos": [photo.pk]},
        language="fr",
    )
    images = [image for page in PdfReader(io.BytesIO(document.content)).pages for image in page.images]
    assert len(images) == 1
    embedded = images[0].image
    assert embedded.size == (300, 400)
    assert b"GPS" not in images[0].data


def test_an_image_of_huge_dimensions_is_refused_before_it_is_decoded():
    bomb = png_bomb()  # 13000 × 13000 pixels in about 164 KB
    with pytest.raises(Image.DecompressionBombError):
        image_prepare(io.BytesIO(bomb), long_edge=1600, quality=80)
