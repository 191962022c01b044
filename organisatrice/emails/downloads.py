"""Files the pages and the API hand out: draft and sent attachments, and the frozen .eml."""

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from organisatrice.content_store import blob_read

from .models import OutgoingAttachment, OutgoingEmail


def download_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A file to save, under its name (non-ASCII encoded per RFC 6266), never rendered inline nor cached."""
    response = HttpResponse(content, content_type=content_type)
    add_never_cache_headers(response)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sent_message_download(email: OutgoingEmail) -> HttpResponse:
    """The stored bytes of a sent email, named after its order and Message-ID."""
    safe_id = "".join(c for c in email.message_id if c.isalnum() or c in "-._")[:60]
    return download_response(blob_read(email.raw_sha256), "message/rfc822", f"{email.order.number}_{safe_id}.eml")


def sent_attachment_download(attachment: OutgoingAttachment) -> HttpResponse:
    return download_response(blob_read(attachment.sha256), attachment.content_type, attachment.filename)
