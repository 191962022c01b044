from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .validators import domain_validate, selector_validate


class DkimAlgorithm(models.TextChoices):
    RSA = "rsa-sha256", _("RSA 2048 (rsa-sha256)")
    ED25519 = "ed25519-sha256", _("Ed25519 (ed25519-sha256), en plus d'une clé RSA")


class DkimKey(models.Model):
    """A DKIM key pair of a sending domain; the private half is never shown again.

    A key starts *pending*: its record is to be published at `selector._domainkey.domain`.
    Once the record is seen in the DNS it is switched to *signing*, and the domain's
    previous key of the same algorithm is *retired* (its record may stay published a few
    days, for messages still on their way). At most one key signs per domain and algorithm.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de publication")
        SIGNING = "signing", _("signe les eMails")
        RETIRED = "retired", _("retirée")

    domain = models.CharField(_("domaine"), max_length=253, validators=[domain_validate])
    selector = models.CharField(_("sélecteur"), max_length=63, validators=[selector_validate])
    algorithm = models.CharField(_("algorithme"), max_length=20, choices=DkimAlgorithm, default=DkimAlgorithm.RSA)
    # Exactly one of the two: the PEM encrypted by organisatrice.vault, or a file the
    # operator keeps on the server (read at each Send, never copied into the database).
    private_key_encrypted = models.TextField(_("clé privée chiffrée"), blank=True, editable=False)
    private_key_path = models.CharField(_("fichier de la clé privée"), max_length=500, blank=True, editable=False)
    # The p= of the DNS record: base64 of the SubjectPublicKeyInfo (RSA) or of the raw key (Ed25519).
    public_key = models.TextField(_("clé publique"), editable=False)
    status = models.CharField(_("état"), max_length=10, choices=Status, default=Status.PENDING, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    activated_at = models.DateTimeField(_("signe depuis"), null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("retirée le"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("clé DKIM")
        verbose_name_plural = _("clés DKIM")
        ordering = ["domain", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "selector"], name="dkim_key_selector_unique"),
            models.UniqueConstraint(
                fields=["domain", "algorithm"],
                condition=Q(status="signing"),
                name="dkim_key_one_signing_per_algorithm",
            ),
            models.CheckConstraint(
                condition=(Q(private_key_encrypted="") & ~Q(private_key_path=""))
                | (~Q(private_key_encrypted="") & Q(private_key_path="")),
                name="dkim_key_private_key_in_one_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def key_type(self) -> str:
        """The k= of the DNS record."""
        return "ed25519" if self.algorithm == DkimAlgorithm.ED25519 else "rsa"

    @property
    def record_value(self) -> str:
        return f"v=DKIM1; k={self.key_type}; p={self.public_key}"
