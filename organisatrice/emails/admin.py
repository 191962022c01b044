import csv
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from organisatrice.orders.models import WorkReportLine

from .models import (
    DeliveryAttempt,
    EmailNote,
    EmailTemplate,
    EmailTemplateType,
    FailedEmail,
    OrderReadyToBill,
    OutgoingAttachment,
    OutgoingEmail,
)
from .placeholders import CATALOGUE
from .rendering import template_part_problems

TEMPLATE_PARTS = ("subject", "greeting", "motivation", "body", "closing")


@admin.register(EmailTemplateType)
class EmailTemplateTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    prepopulated_fields = {"code": ["name"]}


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = [
            "type",
            "language",
            "name",
            "is_default",
            "is_active",
            *TEMPLATE_PARTS,
            "attachment_kind",
            "filename_pattern",
        ]
        widgets = {part: forms.Textarea(attrs={"rows": 3, "cols": 80}) for part in TEMPLATE_PARTS[1:]}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for part in TEMPLATE_PARTS:
            for problem in template_part_problems(cleaned.get(part) or ""):
                self.add_error(part, str(problem))
        subject = cleaned.get("subject") or ""
        if "\n" in subject or "\r" in subject:
            self.add_error("subject", _("Le concerne doit tenir sur une ligne."))
        return cleaned


def placeholder_catalogue_html() -> SafeString:
    rows = format_html_join(
        "\n",
        "<tr><td><code>{{{{ {} }}}}</code></td><td>{}</td><td>{}</td></tr>",
        ((p.name, p.meaning, p.example) for p in CATALOGUE),
    )
    return format_html(
        '<table class="placeholder-catalogue"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table><p>{}</p>",
        _("Placeholder"),
        _("Signification"),
        _("Exemple"),
        rows,
        _(
            "Écrivez {{ nom }} pour insérer une valeur, et par exemple {% if building_name %}…{% endif %} "
            "pour une partie conditionnelle. Un placeholder inconnu ou une erreur de syntaxe empêche "
            "l'enregistrement."
        ),
    )


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateForm
    list_display = ["name", "type", "language", "attachment_kind", "is_default", "is_active", "updated_at"]
    list_filter = ["type", "language", "is_default", "is_active"]
    search_fields = ["name", "subject"]
    readonly_fields = ["placeholder_catalogue"]
    fieldsets = [
        (None, {"fields": ["type", "language", "name", "is_default", "is_active"]}),
        (_("Parties de l'eMail"), {"fields": TEMPLATE_PARTS}),
        (_("Annexe"), {"fields": ["attachment_kind", "filename_pattern"]}),
        (_("Placeholders disponibles"), {"fields": ["placeholder_catalogue"]}),
    ]

    @admin.display(description=_("catalogue"))
    def placeholder_catalogue(self, obj: EmailTemplate | None = None) -> SafeString:
        return placeholder_catalogue_html()


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for name in self.fields or [] if isinstance(name, str)]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OutgoingAttachmentInline(ReadOnlyInline):
    model = OutgoingAttachment
    fields = ["position", "filename", "content_type", "size", "sha256", "document_kind", "work_report"]


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["started_at", "finished_at", "outcome", "smtp_code", "smtp_reply", "error", "worker"]


class EmailNoteInline(ReadOnlyInline):
    model = EmailNote
    fields = ["created_at", "author", "text"]


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records nobody may add, change or delete in the backoffice."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


@admin.register(OrderReadyToBill)
class OrderReadyToBillAdmin(ViewOnlyAdmin):
    list_display = ["number", "title", "client", "responsible", "status", "reported_at", "reported_reports"]
    list_filter = [("reported_at", admin.DateFieldListFilter), "status", "responsible"]
    search_fields = ["number", "title", "client__name"]
    list_select_related = ["client", "responsible"]
    date_hierarchy = "reported_at"
    change_list_template = "admin/emails/orderreadytobill/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(reported_at__isnull=False)

    @admin.display(description=_("rapports transmis"))
    def reported_reports(self, obj: Any) -> int:
        return obj.work_reports.filter(reported_at__isnull=False).count()

    def get_urls(self) -> list:
        return [
            path("export.csv", self.admin_site.admin_view(self.export_csv), name="emails_orderreadytobill_export"),
            *super().get_urls(),
        ]

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered on screen, one line per transmitted work report."""
        orders = self.get_changelist_instance(request).get_queryset(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="commandes-a-facturer.csv"'
        response.write("\ufeff")  # spreadsheet programs need the BOM to read UTF-8
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                "commande",
                "titre",
                "client",
                "responsable",
                "rapport_date",
                "heures",
                "transmis_le",
                "email_message_id",
                "email_concerne",
            ]
        )
        hours = dict(
            WorkReportLine.objects.filter(report__order__in=orders, report__reported_at__isnull=False)
            .values_list("report_id")
            .annotate(total=Sum("hours"))
        )
        for order in orders.prefetch_related("work_reports__reported_email"):
            for report in order.work_reports.all():
                if report.reported_at is None:
                    continue
                writer.writerow(
                    [
                        order.number,
                        order.title,
                        order.client.name,
                        str(order.responsible or ""),
                        report.date.isoformat(),
                        hours.get(report.pk, 0),
                        report.reported_at.isoformat(),
                        report.reported_email.message_id if report.reported_email else "",
                        report.reported_email.subject if report.reported_email else "",
                    ]
                )
        return response
