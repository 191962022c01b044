"""The backoffice of deliverability: the DKIM keys (created, switched, retired; the private key
never shown) and the check of the sending domain's DNS records."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from organisatrice.people.selectors import company_settings_get

from .domain_check import DnsRecord, Status, dkim_key_published, domain_check
from .keys import KeyInvalid, private_key_load, private_key_read_file
from .models import DkimKey
from .services import KeyStateInvalid, dkim_key_activate, dkim_key_create, dkim_key_retire
from .validators import domain_normalise


class DkimKeyCreateForm(forms.ModelForm):
    private_key_path = forms.CharField(
        label=_("fichier de la clé privée (facultatif)"),
        required=False,
        max_length=500,
        help_text=_(
            "Chemin complet d'une clé PEM sur le serveur, lue à chaque envoi. Vide : une nouvelle clé est créée "
            "et gardée chiffrée (SECRETS_ENCRYPTION_KEYS) ; elle n'est plus jamais affichée."
        ),
    )

    class Meta:
        model = DkimKey
        fields = ["domain", "selector", "algorithm"]
        help_texts = {
            "domain": _("Le domaine de l'adresse d'envoi, par exemple « dupont-sa.ch »."),
            "selector": _("Un nom de votre choix, nouveau à chaque rotation, par exemple « org2026 »."),
        }

    def clean_domain(self) -> str:
        return domain_normalise(self.cleaned_data["domain"])

    def clean_selector(self) -> str:
        return str(self.cleaned_data["selector"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        path_given = cleaned.get("private_key_path", "").strip()
        cleaned["private_key_path"] = path_given
        if path_given and cleaned.get("algorithm"):
            try:
                private_key_load(private_key_read_file(path_given), cleaned["algorithm"])
            except KeyInvalid as error:
                self.add_error("private_key_path", str(error))
        return cleaned


def _zone_line(obj: DkimKey) -> SafeString:
    record = DnsRecord(obj.record_name, "TXT", obj.record_value)
    return format_html("<code>{}</code><br><br><code>{}</code>", obj.record_value, record.zone_line)


@admin.register(DkimKey)
class DkimKeyAdmin(admin.ModelAdmin):
    list_display = ["selector", "domain", "algorithm", "status", "created_at", "activated_at"]
    list_filter = ["status", "algorithm", "domain"]
    search_fields = ["domain", "selector"]
    actions = ["activate", "retire"]
    readonly_fields = ["record_name", "record", "private_key_kept", "status", "activated_at", "retired_at"]
    change_list_template = "admin/deliverability/dkimkey/change_list.html"

    @admin.display(description=_("nom de l'enregistrement TXT"))
    def record_name(self, obj: DkimKey) -> str:
        return obj.record_name

    @admin.display(description=_("enregistrement à publier"))
    def record(self, obj: DkimKey) -> SafeString:
        return _zone_line(obj)

    @admin.display(description=_("clé privée"))
    def private_key_kept(self, obj: DkimKey) -> str:
        if obj.private_key_path:
            return gettext("lue du fichier %(path)s") % {"path": obj.private_key_path}
        return gettext("chiffrée dans la base ; jamais affichée")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs.update(form=DkimKeyCreateForm, fields=DkimKeyCreateForm.Meta.fields)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["domain", "selector", "algorithm", "private_key_path"]
        return ["domain", "selector", "algorithm", *self.readonly_fields, "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["domain", "selector", "algorithm", *self.readonly_fields, "created_at"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"domain": company_settings_get().sending_address.rpartition("@")[2]}

    # A key never changes: it is created, switched to signing and retired, through the services.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_activate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("deliverability.change_dkimkey")

    def save_model(self, request: HttpRequest, obj: DkimKey, form: Any, change: bool) -> None:
        try:
            created = dkim_key_create(
                domain=obj.domain,
                selector=obj.selector,
                algorithm=obj.algorithm,
                private_key_path=form.cleaned_data["private_key_path"],
            )
        except (ValidationError, KeyInvalid) as error:
            # Checked by the form already: only a race with another admin reaches this.
            raise PermissionDenied(str(error)) from error
        for field in DkimKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        messages.info(
            request,
            gettext("Publiez l'enregistrement TXT de la clé, puis activez-la depuis la vérification du domaine."),
        )

    def _activate(self, request: HttpRequest, key: DkimKey) -> None:
        verdict = dkim_key_published(key)
        if verdict.status != Status.OK:
            messages.error(
                request, gettext("%(key)s n'est pas activée : %(reason)s") % {"key": key, "reason": verdict.summary}
            )
            return
        try:
            dkim_key_activate(key=key)
        except KeyStateInvalid as error:
            messages.warning(request, str(error))
            return
        messages.success(
            request, gettext("%(key)s signe désormais les eMails de %(domain)s.") % {"key": key, "domain": key.domain}
        )

    @admin.action(description=_("Activer (l'enregistrement est publié)"), permissions=["activate"])
    def activate(self, request: HttpRequest, queryset: QuerySet[DkimKey]) -> None:
        for key in queryset:
            self._activate(request, key)

    @admin.action(description=_("Retirer (ne signe plus)"), permissions=["activate"])
    def retire(self, request: HttpRequest, queryset: QuerySet[DkimKey]) -> None:
        for key in queryset:
            try:
                dkim_key_retire(key=key)
                messages.success(request, gettext("%(key)s est retirée.") % {"key": key})
            except KeyStateInvalid as error:
                messages.warning(request, str(error))

    # --- The domain check -------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path("check/", self.admin_site.admin_view(self.check_view), name="deliverability_domain_check"),
            path(
                "<int:pk>/activate/",
                self.admin_site.admin_view(require_POST(self.activate_view)),
                name="deliverability_dkimkey_activate",
            ),
            *super().get_urls(),
        ]

    def check_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        company = company_settings_get()
        check = domain_check(sender_address=company.sending_address, relay_host=settings.EMAIL_HOST)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Vérification du domaine %(domain)s") % {"domain": check.domain},
            "opts": self.opts,
            "check": check,
            "sender": company.sending_address,
            "can_activate": self.has_activate_permission(request),
        }
        return TemplateResponse(request, "admin/deliverability/domain_check.html", context)

    def activate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_activate_permission(request):
            raise PermissionDenied
        self._activate(request, get_object_or_404(DkimKey, pk=pk))
        return HttpResponseRedirect(reverse("admin:deliverability_domain_check"))
