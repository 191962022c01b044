"""The company logo as the signature shows it: a small PNG inside the message (`cid:`).

Prepared once per logo file (derived file in the content store): fitted in 120 × 360 px
and shown at half that (sharp on high-density screens), within LOGO_MAX_BYTES; a logo
that stays over the budget, or cannot be read, is left out rather than bloating every email.
Only when the company turned it on (CompanySettings.logo_in_emails): beside a short text,
an image costs points with spam filters (SpamAssassin's HTML_IMAGE_ONLY_* rules).
"""

import hashlib
import io
import logging

from PIL import Image

from organisatrice.content_store import derived_get_or_try, derived_key
from organisatrice.documents.photos import IMAGE_UNREADABLE, company_logo_identity, logo_prepare
from organisatrice.people.models import CompanySettings

from .intent import InlineImage

logger = logging.getLogger(__name__)

LOGO_BOX = (360, 120)  # pixels; shown at half
LOGO_MAX_BYTES = 48 * 1024
LOGO_AREA = "emails/logos"
LOGO_VERSION = "1"


def _fitted_png(original: bytes) -> bytes | None:
    png = logo_prepare(io.BytesIO(original), long_edge=max(LOGO_BOX))
    with Image.open(io.BytesIO(png)) as image:
        image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
        output = io.BytesIO()
        image.save(output, "PNG", optimize=True)
    data = output.getvalue()
    return data if len(data) <= LOGO_MAX_BYTES else None


def email_logo(*, company: CompanySettings) -> InlineImage | None:
    """The logo for the signature, or None: none configured, the company's switch off, or unusable."""
    identity = company_logo_identity(company) if company.logo_in_emails else None
    if identity is None:
        return None

    def make() -> bytes | None:
        try:
            with company.logo.open("rb") as original:
                return _fitted_png(original.read())
        except IMAGE_UNREADABLE as error:
            logger.warning("The company logo %s could not be prepared: %s", company.logo.name, error)
            return None

    key = derived_key(LOGO_VERSION, identity, f"{LOGO_BOX}|{LOGO_MAX_BYTES}")
    data = derived_get_or_try(area=LOGO_AREA, key=key, extension=".png", make=make)
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    digest = hashlib.sha256(data).hexdigest()[:20]
    domain = company.sending_address.rpartition("@")[2] or "localhost"
    return InlineImage(
        content=data,
        mime_type="image/png",
        content_id=f"logo.{digest}@{domain}",
        width=max(1, width // 2),
        height=max(1, height // 2),
        alt=company.name,
    )
