"""Preview images of a draft's attachments, made once per content and kept in the content store."""

from organisatrice.content_store import blob_read, derived_get_or_try, derived_key
from organisatrice.documents.previews import (
    document_page_count,
    document_page_png,
    document_preview_png,
    document_previewable,
    preview_unavailable_png,
)

from ..models import DraftAttachment

PREVIEW_AREA = "previews"
# Bumped when previews are made differently, so that old ones are not served again.
PREVIEW_VERSION = "2"
PAGES_VERSION = "1"
# The pages shown one under the other in the composer; a longer file is read downloaded.
PAGES_SHOWN = 20


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


def attachment_page_count(*, attachment: DraftAttachment) -> int:
    """How many of the attachment's pages the composer shows (0: none can be shown)."""
    if not document_previewable(attachment.content_type):
        return 0
    key = derived_key(PAGES_VERSION, "count", attachment.sha256, attachment.content_type)
    count = derived_get_or_try(
        area=PREVIEW_AREA,
        key=key,
        extension=".txt",
        make=lambda: str(
            document_page_count(content=blob_read(attachment.sha256), content_type=attachment.content_type) or ""
        ).encode(),
    )
    return min(int(count), PAGES_SHOWN) if count else 0


def attachment_page_png(*, attachment: DraftAttachment, page: int) -> bytes | None:
    """A page of the attachment at reading size; a placeholder if it cannot be drawn, None past its end."""
    if not 1 <= page <= attachment_page_count(attachment=attachment):
        return None
    key = derived_key(PAGES_VERSION, "page", str(page), attachment.sha256, attachment.content_type)
    png = derived_get_or_try(
        area=PREVIEW_AREA,
        key=key,
        extension=".png",
        make=lambda: document_page_png(
            content=blob_read(attachment.sha256), content_type=attachment.content_type, page=page
        ),
    )
    return png or preview_unavailable_png()
