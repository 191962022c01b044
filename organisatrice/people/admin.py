from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .forms import CompanySettingsForm
from .models import CompanySettings, Employee
from .selectors import company_settings_get

admin.site.site_header = _("Backoffice Organisatrice")
admin.site.site_title = _("Backoffice Organisatrice")
admin.site.index_title = _("Configuration")


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    """One company, so one page: the list of one row opens that row's form."""

    form = CompanySettingsForm
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
                    "max_attachments_size_mb",
                    "bcc_me_default",
                    "logo_in_emails",
                ]
            },
        ),
    ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # company_settings_get creates the row on first use: there is always one to open.
        company = company_settings_get()
        return redirect(reverse("admin:people_companysettings_change", args=[company.pk]))

    def response_change(self, request: HttpRequest, obj: CompanySettings) -> HttpResponse:
        super().response_change(request, obj)  # its message says what was saved
        # Every button would lead back here: the list is this page.
        return redirect(request.path)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One company per installation, created with the first use of the settings.
        return False

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
