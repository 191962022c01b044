"""The backoffice: the company's default IMAP server, each employee's mailbox (password
write-only, tested before it is stored), and the copies with their status (read only)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from organisatrice.backoffice import stored_password_field

from .models import SentCopy, SentCopyMailbox, SentCopyServer
from .services import SentCopyInvalid, sent_copy_mailbox_save


@admin.register(SentCopyServer)
class SentCopyServerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "port", "security"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SentCopyServer.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SentCopyMailboxForm(forms.ModelForm):
    password = stored_password_field(gettext_lazy("mot de passe d'application"))

    class Meta:
        model = SentCopyMailbox
        fields = ["employee", "enabled", "host", "port", "security", "username", "folder"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        # Stored only once the server accepted the login and the folder exists (the service tests it).
        try:
            self.saved, _test = sent_copy_mailbox_save(
                employee=data["employee"],
                host=data["host"],
                port=data["port"],
                security=data["security"],
                username=data["username"],
                password=data.get("password") or "",
                folder=data.get("folder") or "",
            )
        except SentCopyInvalid as invalid:
            self.add_error(invalid.field if invalid.field in self.fields else None, invalid.message)
        return data


@admin.register(SentCopyMailbox)
class SentCopyMailboxAdmin(admin.ModelAdmin):
    form = SentCopyMailboxForm
    list_display = ["employee", "username", "host", "folder", "enabled", "test_ok", "tested_at"]
    list_select_related = ["employee"]
    readonly_fields = ["tested_at", "test_ok", "test_result"]
    search_fields = ["employee__last_name", "employee__first_name", "username", "host"]

    def save_model(self, request: HttpRequest, obj: SentCopyMailbox, form: Any, change: bool) -> None:
        saved: SentCopyMailbox = form.saved
        if saved.enabled != form.cleaned_data["enabled"]:
            saved.enabled = form.cleaned_data["enabled"]
            saved.save(update_fields=["enabled"])
        obj.pk = saved.pk


@admin.register(SentCopy)
class SentCopyAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "folder", "attempts", "appended_at", "error"]
    list_filter = ["status"]
    list_select_related = ["email"]
    raw_id_fields = ["email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
