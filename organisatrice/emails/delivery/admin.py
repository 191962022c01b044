"""The backoffice's bounce mailbox (settings and status line) and the addresses that bounced hard."""

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisatrice.backoffice import stored_password_field

from ..models import BounceMailbox, HardBouncedAddress
from .mailbox import MailboxConfigError, mailbox_config_from_url
from .polling import bounce_mailbox_settings_save, bounce_poll_interval


class BounceMailboxForm(forms.ModelForm):
    password = stored_password_field(gettext_lazy("mot de passe"))

    class Meta:
        model = BounceMailbox
        fields = ["enabled", "host", "port", "security", "username", "folder", "processed_folder", "poll_seconds"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("host") and not data.get("username"):
            self.add_error("username", _("Indiquez l'utilisateur de la boîte."))
        for name in ("host", "username", "folder", "processed_folder"):
            if any(c in str(data.get(name) or "") for c in "\r\n\0"):
                self.add_error(name, _("Ce champ ne peut contenir ni saut de ligne ni caractère nul."))
        if data.get("folder") and data.get("folder") == data.get("processed_folder"):
            self.add_error("processed_folder", _("Le dossier des rapports traités doit être un autre dossier."))
        return data


@admin.register(BounceMailbox)
class BounceMailboxAdmin(admin.ModelAdmin):
    form = BounceMailboxForm
    readonly_fields = ["status_line"]
    fieldsets = [
        (None, {"fields": ["status_line", "enabled"]}),
        (
            gettext_lazy("Boîte IMAP (vide : la variable EMAIL_BOUNCE_MAILBOX)"),
            {"fields": ["host", "port", "security", "username", "password", "folder", "processed_folder"]},
        ),
        (gettext_lazy("Lecture"), {"fields": ["poll_seconds"]}),
    ]
    list_display = ["__str__", "enabled", "host", "status_line"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not BounceMailbox.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: BounceMailbox | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: BounceMailbox, form: Any, change: bool) -> None:
        bounce_mailbox_settings_save(mailbox=obj, password=form.cleaned_data.get("password") or None)

    @admin.display(description=gettext_lazy("état"))
    def status_line(self, obj: BounceMailbox) -> str:
        return mailbox_status_line(obj)


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S") if moment else "—"


def mailbox_status_line(row: BounceMailbox) -> str:
    """One line: where the reading stands, whether it fails and since when, when it tries again."""
    if not row.enabled:
        return _("Lecture désactivée.")
    if not row.host:
        if not settings.EMAIL_BOUNCE_MAILBOX:
            return _("Aucune boîte configurée : les non-remises ne sont pas lues.")
        try:
            mailbox_config_from_url(settings.EMAIL_BOUNCE_MAILBOX)
        except MailboxConfigError as error:
            return format_html('<span class="error">{}</span>', str(error))
    if row.last_error:
        return format_html(
            '<strong class="error">{}</strong> {}',
            _("En échec (%(count)d essais) : %(error)s.") % {"count": row.failures, "error": row.last_error},
            _("Dernière lecture réussie : %(ok)s ; nouvel essai : %(next)s. Les messages attendent dans la boîte.")
            % {"ok": _when(row.last_success_at), "next": _when(row.next_poll_at)},
        )
    if row.last_success_at is None:
        return _("Pas encore lue ; première lecture : %(next)s.") % {"next": _when(row.next_poll_at)}
    return _("Lue le %(ok)s, toutes les %(seconds)d s ; %(total)d rapports traités ; prochaine lecture : %(next)s.") % {
        "ok": _when(row.last_success_at),
        "seconds": bounce_poll_interval(row).total_seconds(),
        "total": row.reports_total,
        "next": _when(row.next_poll_at),
    }


@admin.register(HardBouncedAddress)
class HardBouncedAddressAdmin(admin.ModelAdmin):
    """Deleting a line lifts the warning, for an address known to work again."""

    list_display = ["address", "bounced_at", "status_code", "diagnostic"]
    search_fields = ["address"]
    readonly_fields = ["address", "bounced_at", "status_code", "diagnostic", "email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
