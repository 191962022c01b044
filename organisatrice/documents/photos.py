"""Photos as they leave the company: upright, smaller, and without where they were taken.

The original upload is never modified; each prepared variant is made once and kept in
the content store under a key derived from the original's identity and the preparation
parameters.
"""

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from organisatrice.content_store import derived_get_or_make, derived_key, derived_name, derived_read, file_identity
from organisatrice.orders.models import Photo
from organisatrice.people.models import CompanySettings

from .exceptions import DocumentError

logger = logging.getLogger(__name__)

# What Pillow raises for a file that is not a readable image: damaged, truncated, a bomb.
IMAGE_UNREADABLE = (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError)

LOGO_LONG_EDGE = 800
# Bumped when the preparation changes, so that variants made the old way are not reused.
PREPARATION_VERSION = "1"
IMAGE_AREA = "documents/images"

# The only EXIF kept: when the photo was taken. Everything else (location, camera serial
# numbers, maker notes, the embedded thumbnail of the unrotated image) stays home.
_KEPT_MAIN_TAGS = (ExifTags.Base.DateTime,)
_KEPT_EXIF_TAGS = (ExifTags.Base.DateTimeOriginal, ExifTags.Base.OffsetTimeOriginal)


def photo_long_edge() -> int:
    return int(settings.DOCUMENTS_PHOTO_LONG_EDGE)


def photo_jpeg_quality() -> int:
    return int(settings.DOCUMENTS_PHOTO_JPEG_QUALITY)


def documentation_long_edge() -> int:
    return int(settings.DOCUMENTS_PHOTO_DOCUMENTATION_LONG_EDGE)


@dataclass(frozen=True)
class ImageVariant:
    """A prepared image: `name` is content-derived and the same in storage and in Typst's workspace."""

    name: str
    load: Callable[[], bytes]

    @property
    def storage_name(self) -> str:
        return derived_name(area=IMAGE_AREA, key=self.name[:64], extension=self.name[64:])


def _harmless_exif(source: Image.Exif) -> Image.Exif:
    kept = Image.Exif()
    for tag in _KEPT_MAIN_TAGS:
        if tag in source:
            kept[tag] = source[tag]
    source_ifd = source.get_ifd(ExifTags.IFD.Exif)
    kept_ifd = kept.get_ifd(ExifTags.IFD.Exif)
    for tag in _KEPT_EXIF_TAGS:
        if tag in source_ifd:
            kept_ifd[tag] = source_ifd[tag]
    return kept


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background: JPEG has no transparency, and a black one would surprise."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


# Photos of today's phones reach 50 megapixels; past twice this, Pillow refuses to decode
# (set in apps.py), so that a small file of huge dimensions cannot exhaust memory.
DECODE_MAX_PIXELS = 50_000_000


def image_prepare(source: IO[bytes], *, long_edge: int, quality: int) -> bytes:
    """A JPEG, EXIF orientation applied, long edge at most `long_edge`, only harmless EXIF."""
    with Image.open(source) as image:
        width, height = image.size
        scale = min(1.0, long_edge / max(width, height, 1))
        # For JPEG, decoding directly at 1/2, 1/4 or 1/8 scale is several times faster.
        image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
        exif = _harmless_exif(image.getexif())
        icc_profile = image.info.get("icc_profile") if image.mode == "RGB" else None
        upright = ImageOps.exif_transpose(image)
        rgb = _flatten(upright)
        rgb.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        # Saved from a fresh info dict: Pillow would otherwise carry comments and XMP over.
        rgb.info = {}
        options: dict[str, object] = {"quality": quality, "exif": exif.tobytes()}
        if icc_profile:
            options["icc_profile"] = icc_profile
        rgb.save(output, "JPEG", **options)
    return output.getvalue()


def logo_prepare(source: IO[bytes], *, long_edge: int) -> bytes:
    """A PNG of the company logo, transparency kept, metadata dropped."""
    with Image.open(source) as image:
        upright = ImageOps.exif_transpose(image)
        converted = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "PA", "P") else "RGB")
        converted.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
        converted.info = {}
        output = io.BytesIO()
        converted.save(output, "PNG")
    return output.getvalue()


def _variant(*, key: str, extension: str, make: Callable[[], bytes]) -> ImageVariant:
    def load() -> bytes:
        return derived_get_or_make(area=IMAGE_AREA, key=key, extension=extension, make=make)

    return ImageVariant(name=f"{key}{extension}", load=load)


def _photo_missing(photo: Photo) -> DocumentError:
    message = gettext("Le fichier de la photo « %(photo)s » est introuvable ou illisible.")
    return DocumentError(message % {"photo": photo.caption or photo.pk})


def photo_variant(*, photo: Photo, long_edge: int, quality: int) -> ImageVariant:
    try:
        identity = file_identity(photo.image)
    except OSError as error:
        raise _photo_missing(photo) from error
    key = derived_key(PREPARATION_VERSION, identity, f"jpeg|{long_edge}|{quality}")

    def make() -> bytes:
        try:
            with photo.image.open("rb") as original:
                return image_prepare(original, long_edge=long_edge, quality=quality)
        except IMAGE_UNREADABLE as error:
            logger.warning("Photo %s could not be prepared: %s", photo.pk, error)
            raise _photo_missing(photo) from error

    return _variant(key=key, extension=".jpg", make=make)


def stored_image_variant(name: str) -> ImageVariant:
    """A variant prepared before, read back from storage by its name; FileNotFoundError if gone."""

    def load() -> bytes:
        data = derived_read(variant.storage_name)
        if data is None:
            raise FileNotFoundError(name)
        return data

    variant = ImageVariant(name=name, load=load)
    return variant


def photo_prepare_for_email(*, photo: Photo) -> bytes:
    """The photo as a JPEG fit for an email: upright, long edge 2,000 px by default, no location."""
    return photo_variant(photo=photo, long_edge=photo_long_edge(), quality=photo_jpeg_quality()).load()


def company_logo_identity(company: CompanySettings) -> str | None:
    """What names the company's logo file in derived keys; None without a logo, or when its
    file is gone (said in the log)."""
    if not company.logo:
        return None
    try:
        return file_identity(company.logo)
    except OSError:
        logger.warning("The company logo %s is missing", company.logo.name)
        return None


def logo_variant(*, company: CompanySettings) -> ImageVariant | None:
    """The company logo for the letterhead, or None when there is none or it cannot be read."""
    identity = company_logo_identity(company)
    if identity is None:
        return None

    def make() -> bytes:
        with company.logo.open("rb") as original:
            return logo_prepare(original, long_edge=LOGO_LONG_EDGE)

    variant = _variant(
        key=derived_key(PREPARATION_VERSION, identity, f"png|{LOGO_LONG_EDGE}"), extension=".png", make=make
    )
    try:
        # Made now rather than during the render: a broken logo leaves the letterhead
        # without it instead of failing the document.
        data = variant.load()
    except IMAGE_UNREADABLE as error:
        logger.warning("The company logo %s could not be prepared: %s", company.logo.name, error)
        return None
    return ImageVariant(name=variant.name, load=lambda: data)
