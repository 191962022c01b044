from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisatrice.clients.models import Building, Client
from organisatrice.people.models import Employee


class Order(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("nouvelle")
        IN_PROGRESS = "in_progress", _("en cours")
        COMPLETED = "completed", _("terminée")
        INVOICED = "invoiced", _("facturée")
        CANCELLED = "cancelled", _("annulée")

    number = models.CharField(_("numéro"), max_length=20, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="orders", verbose_name=_("client"))
    buildings = models.ManyToManyField(Building, related_name="orders", verbose_name=_("bâtiments"), blank=True)
    responsible = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_orders",
        verbose_name=_("responsable"),
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status, default=Status.NEW, db_index=True)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    reported_at = models.DateTimeField(_("rapport envoyé au client le"), null=True, blank=True, db_index=True)
    # The order's words without accents or case, read by the search on SQLite (orders/search.py).
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("commande")
        verbose_name_plural = _("commandes")
        ordering = ["-number"]
        indexes = [
            models.Index(fields=["responsible", "-number"]),
            # A client's orders, newest first; also lets the order search read the numbers
            # of a client's orders from the index alone.
            models.Index(fields=["client", "-number"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class OrderReadyToBill(Order):
    """Orders whose work report reached the client: the list accounting bills from."""

    class Meta:
        proxy = True
        verbose_name = _("commande à facturer")
        verbose_name_plural = _("commandes à facturer (rapport transmis)")


class OrderEvent(models.Model):
    """One line of an order's timeline; written by the services that change the order."""

    class Kind(models.TextChoices):
        CREATED = "created", _("commande créée")
        EMAIL_QUEUED = "email_queued", _("eMail mis en file d'envoi")
        EMAIL_SENT = "email_sent", _("eMail envoyé")
        EMAIL_FAILED = "email_failed", _("eMail en échec")
        EMAIL_CANCELLED = "email_cancelled", _("eMail annulé")
        EMAIL_NOTE = "email_note", _("note interne")
        REPORTED = "reported", _("rapport de travail transmis au client")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("commande"))
    kind = models.CharField(_("type"), max_length=30, choices=Kind)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    actor = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("auteur")
    )
    text = models.TextField(_("texte"), blank=True)
    email = models.ForeignKey(
        "emails.OutgoingEmail",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("eMail"),
    )

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.get_kind_display()}"


class WorkReport(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="work_reports", verbose_name=_("commande"))
    date = models.DateField(_("date"))
    employees = models.ManyToManyField(Employee, related_name="work_reports", verbose_name=_("collaborateurs"))
    remarks = models.TextField(_("remarques"), blank=True)
    reported_at = models.DateTimeField(_("transmis au client le"), null=True, blank=True)
    reported_email = models.ForeignKey(
        "emails.OutgoingEmail",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_work_reports",
        verbose_name=_("transmis par l'eMail"),
    )

    class Meta:
        verbose_name = _("rapport de travail")
        verbose_name_plural = _("rapports de travail")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return _("Rapport de travail %(number)s du %(date)s") % {
            "number": self.order.number,
            "date": f"{self.date:%d.%m.%Y}",
        }

    @property
    def total_hours(self) -> Decimal:
        # A list that names its reports without showing their lines annotates the sum
        # (work_reports_with_hours) rather than reading every line.
        annotated = getattr(self, "lines_hours", None)
        if annotated is not None:
            return annotated
        return sum((line.hours for line in self.lines.all()), Decimal("0"))


class WorkReportLine(models.Model):
    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="lines")
    date = models.DateField(_("date"))
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("collaborateur"))
    hours = models.DecimalField(_("heures"), max_digits=5, decimal_places=2)
    description = models.TextField(_("description"))

    class Meta:
        verbose_name = _("ligne de rapport")
        verbose_name_plural = _("lignes de rapport")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.employee}: {self.hours} h"


class WorkReportMaterial(models.Model):
    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="materials")
    description = models.CharField(_("matériel"), max_length=200)
    quantity = models.DecimalField(_("quantité"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unité"), max_length=20)

    class Meta:
        verbose_name = _("matériel")
        verbose_name_plural = _("matériel")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class Photo(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="photos", verbose_name=_("commande"))
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("bâtiment")
    )
    image = models.ImageField(_("image"), upload_to="photos/%Y/%m/")
    caption = models.CharField(_("légende"), max_length=300, blank=True)
    taken_at = models.DateTimeField(_("prise le"), null=True, blank=True)
    taken_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("prise par")
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Offer(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="offers", verbose_name=_("commande"))
    number = models.CharField(_("numéro"), max_length=30, unique=True)
    date = models.DateField(_("date"))
    valid_until = models.DateField(_("valable jusqu'au"))
    terms = models.TextField(_("conditions"), blank=True)

    class Meta:
        verbose_name = _("offre")
        verbose_name_plural = _("offres")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return _("Offre %(number)s") % {"number": self.number}


class OfferLine(models.Model):
    class VatRate(models.TextChoices):
        # Swiss rates since 2024; stored as text so the choice stays exact.
        STANDARD = "8.1", "8.1 %"
        REDUCED = "2.6", "2.6 %"
        ACCOMMODATION = "3.8", "3.8 %"
        EXEMPT = "0", "0 %"

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=1)
    description = models.TextField(_("description"))
    quantity = models.DecimalField(_("quantité"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unité"), max_length=20)
    unit_price = models.DecimalField(_("prix unitaire (CHF)"), max_digits=12, decimal_places=2)
    vat_rate = models.CharField(_("taux TVA"), max_length=4, choices=VatRate, default=VatRate.STANDARD)

    class Meta:
        verbose_name = _("ligne d'offre")
        verbose_name_plural = _("lignes d'offre")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))
