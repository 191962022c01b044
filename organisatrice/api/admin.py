from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken
from .services import ApiTokenError, api_token_create, api_token_expiry_check, api_token_revoke

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data["expires_at"]
        try:
            api_token_expiry_check(expires_at)
        except ApiTokenError as error:
            raise forms.ValidationError(str(error)) from None
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]

    def get_form(self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        # The user, the name and the expiry are chosen when the token is made; nothing is edited later.
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is not None:
            return self.readonly_fields
        # A token acts as its user: only a superuser, who could act as anyone anyway, makes one
        # for someone else. Without the field in the form, a posted user is ignored.
        return ["user", "name", "expires_at"] if request.user.is_superuser else ["name", "expires_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        owner = obj.user if request.user.is_superuser else cast("User", request.user)
        issued = api_token_create(user=owner, name=obj.name, expires_at=obj.expires_at)
        obj.pk = issued.token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("Jeton créé : %(key)s — copiez-le maintenant, il ne sera plus affiché.") % {"key": issued.key},
        )

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Revoked, not deleted: the list keeps who had access, and until when.
        return False

    @admin.action(description=_("Révoquer les jetons sélectionnés"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset:
            try:
                api_token_revoke(token=token)
            except ApiTokenError:
                continue
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d jeton révoqué.", "%(count)d jetons révoqués.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
