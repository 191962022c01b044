import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from .models import Photo

THUMBNAIL_SIZE = (320, 320)


def photo_thumbnail_get(*, photo: Photo) -> bytes:
    """A small JPEG of the photo, made once and kept beside the original."""
    name = f"thumbnails/{photo.pk}-{(photo.image.name or '').replace('/', '_')}.jpg"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    with photo.image.open("rb") as original, Image.open(original) as source:
        thumbnail = ImageOps.exif_transpose(source).convert("RGB")
        thumbnail.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        thumbnail.save(buffer, "JPEG", quality=80)
    data = buffer.getvalue()
    default_storage.save(name, ContentFile(data))
    return data
