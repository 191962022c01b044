import io

from PIL import Image, ImageOps

from organisatrice.content_store import derived_get_or_make, derived_key, file_identity

from .models import Photo

THUMBNAIL_AREA = "thumbnails"
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_QUALITY = 80


def photo_thumbnail_get(*, photo: Photo) -> bytes:
    """A small JPEG of the photo, made once per version of the original and kept."""

    def make() -> bytes:
        with photo.image.open("rb") as original, Image.open(original) as source:
            thumbnail = ImageOps.exif_transpose(source).convert("RGB")
            thumbnail.thumbnail(THUMBNAIL_SIZE)
            buffer = io.BytesIO()
            thumbnail.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
        return buffer.getvalue()

    key = derived_key(file_identity(photo.image), f"jpeg|{THUMBNAIL_SIZE}|{THUMBNAIL_QUALITY}")
    return derived_get_or_make(area=THUMBNAIL_AREA, key=key, extension=".jpg", make=make)
