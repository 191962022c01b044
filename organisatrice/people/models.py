from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from .validators import single_line_validate


class Language(models.TextChoices):
    FRENCH = "fr", _("Français")
    GERMAN = "de", _("Deutsch")
    ENGLISH = "en", _("English")
    ITALIAN = "it", _("Italiano")


# Each language named in the interface's language: "(entreprise, allemand)", "(Firma, Französisch)".
# The choices above name each language in itself, as a language menu does.
LANGUAGE_NAMES: dict[str, StrOrPromise] = {
    Language.FRENCH: pgettext_lazy("language name", "français"),
    Language.GERMAN: pgettext_lazy("language name", "allemand"),
    Language.ENGLISH: pgettext_lazy("language name", "anglais"),
    Language.ITALIAN: pgettext_lazy("language name", "italien"),
}


def language_name(code: str) -> str:
    """The language's name in the interface's language; an unknown code as it is."""
    return str(LANGUAGE_NAMES.get(code, code))


class InterfaceLanguage(models.TextChoices):
    FRENCH = "fr", _("Français")
    GERMAN = "de", _("Deutsch")
    ENGLISH = "en", _("English")


class PostalAddress(models.Model):
    """A Swiss postal address: street, NPA and locality."""

    street = models.CharField(_("rue"), max_length=200, blank=True)
    postal_code = models.CharField(_("NPA"), max_length=10, blank=True)
    city = models.CharField(_("localité"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def address_line(self) -> str:
        return ", ".join(p for p in [self.street, f"{self.postal_code} {self.city}".strip()] if p)


class CompanySettings(PostalAddress):
    """The one company this installation serves; a single row, see `company_settings_get`."""

    name = models.CharField(_("nom"), max_length=200, validators=[single_line_validate])
    phone = models.CharField(_("téléphone"), max_length=50, blank=True)
    website = models.CharField(_("site web"), max_length=200, blank=True)
    logo = models.ImageField(_("logo"), upload_to="company/", blank=True)
    vat_number = models.CharField(_("numéro TVA"), max_length=50, blank=True)

    email_enabled = models.BooleanField(
        _("eMail activé pour l'entreprise"),
        default=True,
        help_text=_("Si désactivé, personne ne peut envoyer d'eMail depuis les commandes."),
    )
    sending_domain = models.CharField(
        _("domaine d'envoi"),
        max_length=200,
        default="example.ch",
        help_text=_("Domaine des Message-ID, par exemple « dupont-sa.ch »."),
    )
    sending_address = models.EmailField(
        _("adresse d'envoi"),
        default="noreply@example.ch",
        help_text=_("Adresse From de tous les eMails ; les réponses vont au collaborateur."),
    )
    sender_name_format = models.CharField(
        _("format du nom d'expéditeur"),
        max_length=200,
        default="{employee} ({company})",
        help_text=_("Placeholders : {employee} et {company}."),
        validators=[single_line_validate],
    )
    max_attachments_size = models.PositiveIntegerField(
        _("taille maximale des annexes (octets)"), default=10 * 1024 * 1024
    )
    bcc_me_default = models.BooleanField(_("« Copie cachée pour moi » coché par défaut"), default=True)
    # Off by default: SpamAssassin's HTML_IMAGE_ONLY_* rules add up to 2.1 points to an email with an
    # image beside less than 3,200 bytes of text, as most of ours are.
    logo_in_emails = models.BooleanField(
        _("logo dans la signature des eMails"),
        default=False,
        help_text=_(
            "Ajoute le logo en image à la signature. Certains filtres anti-spam pénalisent les eMails "
            "courts qui contiennent une image : ils risquent davantage d'arriver dans les indésirables."
        ),
    )

    class Meta:
        verbose_name = _("paramètres de l'entreprise")
        verbose_name_plural = _("paramètres de l'entreprise")

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee", verbose_name=_("utilisateur")
    )
    first_name = models.CharField(_("prénom"), max_length=100, validators=[single_line_validate])
    last_name = models.CharField(_("nom"), max_length=100, validators=[single_line_validate])
    function = models.CharField(_("fonction"), max_length=100, blank=True, validators=[single_line_validate])
    email = models.EmailField(_("eMail de réponse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=50, blank=True)
    language = models.CharField(
        _("langue de l'interface"), max_length=2, choices=InterfaceLanguage, default=InterfaceLanguage.FRENCH
    )
    # The roles are stored here and nowhere else.
    is_dispatcher = models.BooleanField(_("répartiteur"), default=False)
    is_coordinator = models.BooleanField(_("coordinateur"), default=False)
    is_technician = models.BooleanField(_("technicien"), default=False)
    email_enabled = models.BooleanField(_("eMail activé pour ce collaborateur"), default=True)
    mail_permission = models.BooleanField(
        _("autorisation Mail"),
        default=False,
        help_text=_("Permet d'envoyer et de consulter les eMails des commandes (Backoffice/eMail)."),
    )

    class Meta:
        verbose_name = _("collaborateur")
        verbose_name_plural = _("collaborateurs")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_dispatcher_or_coordinator(self) -> bool:
        return self.is_dispatcher or self.is_coordinator

    @property
    def role_labels(self) -> list[str]:
        flags = [
            (self.is_dispatcher, _("répartiteur")),
            (self.is_coordinator, _("coordinateur")),
            (self.is_technician, _("technicien")),
        ]
        return [str(label) for on, label in flags if on]
