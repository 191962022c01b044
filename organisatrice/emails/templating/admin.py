"""The backoffice of email templates: types, templates, and the placeholder catalogue."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..models import EmailTemplate, EmailTemplateType
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
