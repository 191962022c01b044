from django.db import models
from django.utils.translation import gettext_lazy as _

from organisatrice.people.models import Employee


class Security(models.TextChoices):
    TLS = "tls", _("TLS implicite (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("sans chiffrement (réseau local uniquement)")


DEFAULT_PORTS = {Security.TLS: 993, Security.STARTTLS: 143, Security.NONE: 143}


class SentCopyServer(models.Model):
    """The company's IMAP server (one row): what an employee's settings start from."""

    host = models.CharField(_("serveur IMAP"), max_length=253, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    security = models.CharField(_("sécurité"), max_length=8, choices=Security, default=Security.TLS)

    class Meta:
        verbose_name = _("serveur IMAP par défaut (copie dans les envoyés)")
        verbose_name_plural = _("serveur IMAP par défaut (copie dans les envoyés)")

    def __str__(self) -> str:
        return self.host or str(_("Serveur IMAP par défaut"))


class SentCopyMailbox(models.Model):
    """An employee's own mailbox, where a copy of each email they send is appended."""

    employee = models.OneToOneField(
        Employee, on_delete=models.CASCADE, related_name="sent_copy_mailbox", verbose_name=_("collaborateur")
    )
    enabled = models.BooleanField(_("copie activée"), default=True)
    host = models.CharField(_("serveur IMAP"), max_length=253)
    port = models.PositiveIntegerField(_("port"))
    security = models.CharField(_("sécurité"), max_length=8, choices=Security, default=Security.TLS)
    username = models.CharField(_("identifiant"), max_length=254)
    # Encrypted by organisatrice.vault; never shown again.
    password_encrypted = models.TextField(_("mot de passe chiffré"), editable=False)
    folder = models.CharField(_("dossier des envoyés"), max_length=500, blank=True)
    tested_at = models.DateTimeField(_("dernier test"), null=True, blank=True, editable=False)
    test_ok = models.BooleanField(_("dernier test réussi"), default=False, editable=False)
    test_result = models.TextField(_("résultat du dernier test"), blank=True, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("boîte d'un collaborateur (copie dans les envoyés)")
        verbose_name_plural = _("boîtes des collaborateurs (copie dans les envoyés)")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class SentCopy(models.Model):
    """The copy of one sent email in its sender's Sent folder."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        APPENDING = "appending", _("dépôt en cours")
        RETRY_WAIT = "retry_wait", _("nouvel essai prévu")
        APPENDED = "appended", _("déposée")
        FAILED = "failed", _("échec")

    email = models.OneToOneField(
        "emails.OutgoingEmail", on_delete=models.CASCADE, related_name="sent_copy", verbose_name=_("eMail")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PENDING)
    folder = models.CharField(_("dossier"), max_length=500, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    # While appending: until when the attempt's worker owns it (after, a crash is assumed).
    lease_expires_at = models.DateTimeField(_("bail jusqu'au"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("dernier essai"), null=True, blank=True)
    appended_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    # The server's UID for the copy (UIDPLUS), or None when it was found there by its Message-ID.
    uid = models.BigIntegerField(_("UID IMAP"), null=True, blank=True)

    class Meta:
        verbose_name = _("copie dans les envoyés")
        verbose_name_plural = _("copies dans les envoyés")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.email_id}: {self.get_status_display()}"
