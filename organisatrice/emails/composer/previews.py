"""Preview images of a draft's attachments, made once per content and kept in the content store."""

from organisatrice.content_store import blob_read, derived_get_or_make, derived_key
from organisatrice.documents.services import document_preview_png

from ..models import DraftAttachment

PREVIEW_AREA = "previews"
# Bumped when previews are made differently, so that old ones are not served again.
PREVIEW_VERSION = "1"


def attachment_preview_png(*, attachment: DraftAttachment) -> bytes | None:
    """A PNG of the attachment's first page or image; None for what cannot be previewed."""
    key = derived_key(PREVIEW_VERSION, attachment.sha256, attachment.content_type)
    return derived_get_or_make(
        area=PREVIEW_AREA,
        key=key,
        extension=".png",
        make=lambda: document_preview_png(content=blob_read(attachment.sha256), content_type=attachment.content_type),
    )
