"""Building blocks of the backoffice shared by the apps: records it shows and never changes,
passwords it keeps and never shows."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for name in self.fields or [] if isinstance(name, str)]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records nobody may add, change or delete in the backoffice."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def stored_password_field(label: StrOrPromise) -> forms.CharField:
    """A password the backoffice stores encrypted (organisatrice/vault.py) and never shows again:
    left empty, the stored one stays."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Enregistré chiffré, jamais réaffiché ; vide : le mot de passe enregistré reste."),
    )
