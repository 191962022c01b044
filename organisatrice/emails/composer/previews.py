"""Preview images of a draft's attachments, made once per content and kept in the content store."""

from organisatrice.content_store import blob_read, derived_get_or_try, derived_key
from organisatrice.documents.previews import document_preview_png, document_previewable, preview_unavailable_png

from ..models import DraftAttachment

PREVIEW_AREA = "previews"
# Bumped when previews are made differently, so that old ones are not served again.
PREVIEW_VERSION = "2"


def attachment_preview_png(*, attachment: DraftAttachment) -> bytes | None:
    """A PNG of the attachment's first page or image; None for a type that has no preview.

    A PDF or image that cannot be previewed (damaged, too large, too slow) gets a
    placeholder saying so; the failure is kept like a preview, so that the composer's
    next load does not spend the same seconds again.
    """
    if not document_previewable(attachment.content_type):
        return None
    key = derived_key(PREVIEW_VERSION, attachment.sha256, attachment.content_type)
    png = derived_get_or_try(
        area=PREVIEW_AREA,
        key=key,
        extension=".png",
        make=lambda: document_preview_png(content=blob_read(attachment.sha256), content_type=attachment.content_type),
    )
    return png or preview_unavailable_png()
