"""The backoffice's view of sent emails: read-only, like any commercial record."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from organisatrice.backoffice import ReadOnlyInline, ViewOnlyAdmin

from ..models import DeliveryAttempt, EmailNote, FailedEmail, OutgoingAttachment, OutgoingEmail


class OutgoingAttachmentInline(ReadOnlyInline):
    model = OutgoingAttachment
    fields = ["position", "filename", "content_type", "size", "sha256", "document_kind", "work_report"]


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["started_at", "finished_at", "outcome", "smtp_code", "smtp_reply", "error", "worker"]


class EmailNoteInline(ReadOnlyInline):
    model = EmailNote
    fields = ["created_at", "author", "text"]


class ArchiveAdmin(ViewOnlyAdmin):
    """Sent emails are commercial records: the backoffice shows them and changes nothing."""

    list_display = ["created_at", "order", "subject", "sender", "status", "attempt_count", "sent_at"]
    list_filter = ["status", "created_at", "template_type"]
    search_fields = ["subject", "message_id", "order__number", "order__client__name"]
    list_select_related = ["order", "sender"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [OutgoingAttachmentInline, DeliveryAttemptInline, EmailNoteInline]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ArchiveAdmin):
    pass


@admin.register(FailedEmail)
class FailedEmailAdmin(ArchiveAdmin):
    list_display = ["created_at", "order", "subject", "sender", "attempt_count", "failure_reason"]
    list_filter = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutgoingEmail]:
        return super().get_queryset(request).filter(status=OutgoingEmail.Status.FAILED)
