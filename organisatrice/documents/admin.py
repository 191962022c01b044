from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .filenames import FILENAME_PLACEHOLDERS, FILENAME_SAMPLE_VALUES, filename_from_pattern
from .kinds import KIND_CONTENT_TYPES
from .labels import LABELS
from .models import DocumentRender, FilenamePattern


@admin.register(FilenamePattern)
class FilenamePatternAdmin(admin.ModelAdmin):
    list_display = ["kind", "pattern", "example"]
    fields = ["kind", "pattern", "example", "placeholders", "updated_at"]
    readonly_fields = ["kind", "example", "placeholders", "updated_at"]

    # One row per kind, created on install: the backoffice edits them, it does not add or remove.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: FilenamePattern | None = None) -> bool:
        return False

    @admin.display(description=_("exemple"))
    def example(self, obj: FilenamePattern) -> str:
        values = {**FILENAME_SAMPLE_VALUES, "document_type": LABELS["fr"][obj.kind]}
        return filename_from_pattern(pattern=obj.pattern, values=values, content_type=KIND_CONTENT_TYPES[obj.kind])

    @admin.display(description=_("placeholders disponibles"))
    def placeholders(self, obj: FilenamePattern) -> SafeString:
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{{{}}}</code> : {}</li>",
                ((name, str(text)) for name, text in FILENAME_PLACEHOLDERS.items()),
            ),
        )


_RENDER_FIELDS = (
    "order",
    "kind",
    "language",
    "template",
    "key",
    "content_sha256",
    "size",
    "created_at",
    "last_used_at",
    "data",
)


@admin.register(DocumentRender)
class DocumentRenderAdmin(admin.ModelAdmin):
    """The render cache, for looking into; entries are made by rendering, never by hand."""

    list_display = ["order", "kind", "language", "size", "created_at", "last_used_at"]
    list_filter = ["kind", "language"]
    search_fields = ["order__number", "key", "content_sha256"]
    list_select_related = ["order"]
    fields = _RENDER_FIELDS
    readonly_fields = _RENDER_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DocumentRender | None = None) -> bool:
        return False
