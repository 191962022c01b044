from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisatrice.people.models import Language, PostalAddress
from organisatrice.people.validators import single_line_validate


class Salutation(models.TextChoices):
    NONE = "", _("—")
    MR = "mr", _("Monsieur")
    MRS = "mrs", _("Madame")


class Client(PostalAddress):
    class Kind(models.TextChoices):
        COMPANY = "company", _("entreprise")
        PERSON = "person", _("personne")

    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.COMPANY)
    name = models.CharField(_("nom"), max_length=200, db_index=True, validators=[single_line_validate])
    phone = models.CharField(_("téléphone"), max_length=50, blank=True)
    email = models.EmailField(_("eMail"), blank=True)
    language = models.CharField(_("langue"), max_length=2, choices=Language, default=Language.FRENCH)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Building(PostalAddress):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("client"))
    name = models.CharField(_("nom"), max_length=200, db_index=True, validators=[single_line_validate])

    class Meta:
        verbose_name = _("bâtiment")
        verbose_name_plural = _("bâtiments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person reachable by email, belonging to a client or to one of its buildings."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts", verbose_name=_("client")
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts", verbose_name=_("bâtiment")
    )
    salutation = models.CharField(_("civilité"), max_length=3, choices=Salutation, blank=True, default="")
    # Names reach the To header and the greeting: one line each, refused otherwise.
    first_name = models.CharField(_("prénom"), max_length=100, blank=True, validators=[single_line_validate])
    last_name = models.CharField(_("nom"), max_length=100, validators=[single_line_validate])
    function = models.CharField(_("fonction"), max_length=100, blank=True, validators=[single_line_validate])
    email = models.EmailField(_("eMail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=50, blank=True)
    language = models.CharField(_("langue"), max_length=2, choices=Language, default=Language.FRENCH)
    # The one an email from a document goes to first: see the composer's main_contact.
    is_main = models.BooleanField(
        _("contact principal"),
        default=False,
        help_text=_("Destinataire proposé d'abord pour les eMails des commandes (un par client, un par bâtiment)."),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(building__isnull=True))
                | (Q(client__isnull=True) & Q(building__isnull=False)),
                name="contact_belongs_to_client_or_building",
                violation_error_message=_("Un contact appartient soit à un client, soit à un bâtiment."),
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_main=True),
                name="one_main_contact_per_client",
                violation_error_message=_("Ce client a déjà un contact principal."),
            ),
            models.UniqueConstraint(
                fields=["building"],
                condition=Q(is_main=True),
                name="one_main_contact_per_building",
                violation_error_message=_("Ce bâtiment a déjà un contact principal."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
