from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token of the integration API. Only its SHA-256 is kept: the token itself
    is shown once, when it is made, and cannot be read back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("utilisateur")
    )
    name = models.CharField(_("nom"), max_length=100, help_text=_("Ce qui utilise le jeton, par exemple « ERP »."))
    # The token's first characters, enough to tell tokens apart in a list without revealing them.
    prefix = models.CharField(_("début du jeton"), max_length=12)
    key_hash = models.CharField(_("SHA-256 du jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expire le"), null=True, blank=True, help_text=_("Vide : le jeton vaut jusqu'à sa révocation.")
    )

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
