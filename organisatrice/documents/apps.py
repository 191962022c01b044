from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "organisatrice.documents"
    label = "documents"
    verbose_name = _("Documents PDF")

    def ready(self) -> None:
        from PIL import Image

        from .photos import DECODE_MAX_PIXELS

        # Pillow refuses, before decoding, an image over twice this (its DecompressionBombError):
        # a 13000 × 13000 PNG of 164 KB would otherwise take gigabytes to prepare.
        Image.MAX_IMAGE_PIXELS = DECODE_MAX_PIXELS
