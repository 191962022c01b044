from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """What an email can attach that is made from the order's data."""

    WORK_REPORT = "work_report", _("rapport de travail")
    PHOTO_DOCUMENTATION = "photo_documentation", _("documentation photo")
    OFFER = "offer", _("offre")
    PHOTOS = "photos", _("photos (fichiers JPEG)")


PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# The photos go out as JPEG files; the other kinds are Typst documents.
KIND_CONTENT_TYPES: dict[str, str] = {
    DocumentKind.WORK_REPORT: PDF,
    DocumentKind.PHOTO_DOCUMENTATION: PDF,
    DocumentKind.OFFER: PDF,
    DocumentKind.PHOTOS: JPEG,
}
