"""The backoffice's view of sent emails: read-only, like any commercial record."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisatrice.backoffice import ReadOnlyInline, ViewOnlyAdmin

from ..models import DeliveryAttempt, EmailNote, EmailTemplateType, FailedEmail, OutgoingAttachment, OutgoingEmail
from ..templating.defaults import type_label


def _may_read_mail(request: HttpRequest) -> bool:
    user = request.user
    if user.is_superuser:
        return True
    employee = getattr(user, "employee", None)
    return employee is not None and employee.mail_permission


class OutgoingAttachmentInline(ReadOnlyInline):
    model = OutgoingAttachment
    fields = ["position", "filename", "content_type", "size", "sha256", "document_kind", "work_report"]


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["started_at", "finished_at", "outcome", "smtp_code", "smtp_reply", "error", "worker"]


class EmailNoteInline(ReadOnlyInline):
    model = EmailNote
    fields = ["created_at", "author", "text"]


class TemplateTypeFilter(admin.SimpleListFilter):
    """The emails' types by their names, in the interface's language, rather than by their codes."""

    title = _("type")
    parameter_name = "template_type"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            (code, type_label(code=code, name=name))
            for code, name in EmailTemplateType.objects.order_by("position", "name").values_list("code", "name")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> QuerySet[OutgoingEmail]:
        return queryset.filter(template_type=self.value()) if self.value() else queryset


class ArchiveAdmin(ViewOnlyAdmin):
    """Sent emails are commercial records: the backoffice shows them and changes nothing.

    Reading them needs what the archive's pages need: the Mail permission (superusers aside);
    the model's view permission alone is not enough.
    """

    def has_view_permission(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> bool:
        return super().has_view_permission(request, obj) and _may_read_mail(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and _may_read_mail(request)

    list_display = ["created_at", "order", "subject", "sender", "status", "attempt_count", "sent_at"]
    list_filter = ["status", "created_at", TemplateTypeFilter]
    search_fields = ["subject", "message_id", "order__number", "order__client__name"]
    list_select_related = ["order", "sender"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [OutgoingAttachmentInline, DeliveryAttemptInline, EmailNoteInline]

    def get_fields(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> list[Any]:
        # The type by its name, as the list's filter shows it, rather than its code.
        return [
            field if field != "template_type" else "template_type_label" for field in super().get_fields(request, obj)
        ]

    @admin.display(description=_("type"))
    def template_type_label(self, email: OutgoingEmail) -> str:
        if not email.template_type:
            return "—"
        name = EmailTemplateType.objects.filter(code=email.template_type).values_list("name", flat=True).first()
        return type_label(code=email.template_type, name=name) if name is not None else email.template_type


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ArchiveAdmin):
    pass


@admin.register(FailedEmail)
class FailedEmailAdmin(ArchiveAdmin):
    list_display = ["created_at", "order", "subject", "sender", "attempt_count", "failure_reason"]
    list_filter = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutgoingEmail]:
        return super().get_queryset(request).filter(status=OutgoingEmail.Status.FAILED)
