from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import CompanySettings, Employee

admin.site.site_header = _("Backoffice Organisatrice")
admin.site.site_title = _("Backoffice Organisatrice")
admin.site.index_title = _("Configuration")


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "email_enabled", "sending_address"]
    fieldsets = [
        (None, {"fields": ["name", "street", "postal_code", "city", "phone", "website", "logo", "vat_number"]}),
        (
            _("eMail"),
            {
                "fields": [
                    "email_enabled",
                    "sending_address",
                    "sending_domain",
                    "sender_name_format",
                    "max_attachments_size",
                    "bcc_me_default",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One company per installation.
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: CompanySettings | None = None) -> bool:
        return False


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "user",
        "function",
        "email",
        "is_dispatcher",
        "is_coordinator",
        "is_technician",
        "email_enabled",
        "mail_permission",
    ]
    list_filter = ["is_dispatcher", "is_coordinator", "is_technician", "email_enabled", "mail_permission", "language"]
    search_fields = ["first_name", "last_name", "user__username", "email"]
    list_editable = ["email_enabled", "mail_permission"]
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["user", "first_name", "last_name", "function", "email", "phone", "language"]}),
        (_("Rôles"), {"fields": ["is_dispatcher", "is_coordinator", "is_technician"]}),
        (_("eMail"), {"fields": ["email_enabled", "mail_permission"]}),
    ]
