from django.db import models
from django.utils.translation import gettext_lazy as _

from organisatrice.orders.models import Order

from .filenames import filename_pattern_validate
from .kinds import DocumentKind


class FilenamePattern(models.Model):
    """How the attachments of one document kind are named; one row per kind, edited in the backoffice."""

    kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind, unique=True)
    pattern = models.CharField(
        _("modèle de nom de fichier"),
        max_length=200,
        validators=[filename_pattern_validate],
        help_text=_(
            "Sans extension : elle suit le contenu. Les espaces des valeurs deviennent « - ». "
            "Les placeholders disponibles sont listés ci-dessous."
        ),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("modèle de nom de fichier")
        verbose_name_plural = _("modèles de nom de fichier")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.pattern}"


class DocumentRender(models.Model):
    """A generated document, kept so that the same inputs are never rendered twice.

    `key` is the SHA-256 of everything the output depends on (template sources, data,
    images, language). The data and template are kept too, so that the first page can be
    rendered again as a preview image from the same inputs.
    """

    key = models.CharField(_("clé"), max_length=64, unique=True)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="document_renders", verbose_name=_("commande")
    )
    kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind)
    template = models.CharField(_("gabarit Typst"), max_length=50)
    templates_sha256 = models.CharField(_("SHA-256 des gabarits"), max_length=64)
    language = models.CharField(_("langue"), max_length=2)
    data = models.TextField(_("données (JSON)"))
    images = models.JSONField(_("images"), default=list, blank=True)
    content_sha256 = models.CharField(_("SHA-256 du contenu"), max_length=64, db_index=True)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    storage_name = models.CharField(_("fichier"), max_length=200)
    preview_storage_name = models.CharField(_("aperçu"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), db_index=True)

    class Meta:
        verbose_name = _("document généré")
        verbose_name_plural = _("documents générés")
        ordering = ["-last_used_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order_id} ({self.key[:12]})"
