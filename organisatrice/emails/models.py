from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisatrice.documents.kinds import DocumentKind
from organisatrice.orders.models import Order, WorkReport
from organisatrice.people.models import Employee, Language


class EmailTemplateType(models.Model):
    """A kind of typed email; the built-in ones are created on install, the company adds others."""

    WORK_REPORT = "work_report"
    PHOTO_DOCUMENTATION = "photo_documentation"
    OFFER = "offer"
    FREE = "free"

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    position = models.PositiveIntegerField(_("ordre"), default=100)

    class Meta:
        verbose_name = _("type d'eMail")
        verbose_name_plural = _("types d'eMail")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class EmailTemplate(models.Model):
    """The parts of a typed email, with placeholders; see `emails.placeholders`."""

    type = models.ForeignKey(
        EmailTemplateType, on_delete=models.PROTECT, related_name="templates", verbose_name=_("type")
    )
    language = models.CharField(_("langue"), max_length=2, choices=Language, default=Language.FRENCH)
    name = models.CharField(_("nom"), max_length=150)
    subject = models.CharField(_("concerne"), max_length=300)
    greeting = models.TextField(_("salutation d'ouverture"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True, help_text=_("La phrase qui présente l'annexe."))
    body = models.TextField(_("texte individuel par défaut"), blank=True)
    closing = models.TextField(_("formule de clôture"), blank=True)
    attachment_kind = models.CharField(_("document joint"), max_length=30, choices=DocumentKind, blank=True, default="")
    filename_pattern = models.CharField(
        _("modèle de nom de fichier"),
        max_length=200,
        blank=True,
        help_text=_("Vide : le modèle du type de document (Backoffice › Documents PDF)."),
    )
    is_default = models.BooleanField(_("par défaut pour ce type et cette langue"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("gabarit eMail")
        verbose_name_plural = _("gabarits eMail")
        ordering = ["type__position", "language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "language"],
                condition=Q(is_default=True),
                name="one_default_template_per_type_and_language",
                violation_error_message=_("Il existe déjà un gabarit par défaut pour ce type et cette langue."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language.upper()})"


class EmailDraft(models.Model):
    """An email being composed on an order; kept on the server until it is sent."""

    class Status(models.TextChoices):
        EDITING = "editing", _("en cours de rédaction")
        SENT = "sent", _("envoyé")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="email_drafts", verbose_name=_("commande"))
    author = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="email_drafts", verbose_name=_("auteur")
    )
    template = models.ForeignKey(
        EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("gabarit")
    )
    language = models.CharField(_("langue"), max_length=2, choices=Language, default=Language.FRENCH)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.EDITING)
    # Lists of {"name": ..., "email": ...}.
    to = models.JSONField(_("à"), default=list, blank=True)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("cci"), default=list, blank=True)
    bcc_me = models.BooleanField(_("copie cachée à moi"), default=True)
    subject = models.CharField(_("concerne"), max_length=300, blank=True)
    greeting = models.TextField(_("salutation d'ouverture"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    body = models.TextField(_("texte individuel"), blank=True)
    closing = models.TextField(_("formule de clôture"), blank=True)
    signature = models.TextField(_("signature"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("brouillon d'eMail")
        verbose_name_plural = _("brouillons d'eMail")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["order", "author", "status"])]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"


class DraftAttachment(models.Model):
    class Source(models.TextChoices):
        DOCUMENT = "document", _("document généré")
        PHOTO = "photo", _("photo de la commande")
        UPLOAD = "upload", _("fichier téléversé")

    draft = models.ForeignKey(EmailDraft, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveIntegerField(default=0)
    source = models.CharField(_("origine"), max_length=10, choices=Source)
    document_kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind, blank=True)
    # Which records the document was made from, e.g. {"work_report": 7} or {"photos": [3, 4]}.
    selection = models.JSONField(_("sélection"), default=dict, blank=True)
    # The report the document shows, which the email will mark as sent to the client. The
    # backoffice cannot delete it while a draft attaches it (as while an email did): the
    # draft would send a report the company no longer has, which billing cannot mark.
    # RESTRICT, not PROTECT: an order deleted with its drafts takes their reports along.
    work_report = models.ForeignKey(
        WorkReport, on_delete=models.RESTRICT, null=True, blank=True, related_name="+", verbose_name=_("rapport")
    )
    filename = models.CharField(_("nom de fichier"), max_length=120)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("annexe du brouillon")
        verbose_name_plural = _("annexes du brouillon")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        # Shown by the backoffice when the report cannot be deleted: whose draft holds it.
        return _("%(filename)s (brouillon de %(author)s, commande %(order)s)") % {
            "filename": self.filename,
            "author": self.draft.author.full_name,
            "order": self.draft.order.number,
        }


class OutgoingEmail(models.Model):
    """A sent (or being sent) email: the frozen message and its delivery state.

    The content fields are written once, at Send, and never changed; only the outbox
    services move the delivery fields.
    """

    class Delivery(models.TextChoices):
        # Nothing came back yet: the relay's acceptance is all that is known.
        UNKNOWN = "", _("sans nouvelles")
        DELIVERED = "delivered", _("remis")
        DEFERRED = "deferred", _("remise retardée")
        PARTLY_BOUNCED = "partly_bounced", _("non remis à certains destinataires")
        # Every To recipient bounced: the client did not get it (a work report: "non remis").
        BOUNCED = "bounced", _("non remis")

    class Status(models.TextChoices):
        QUEUED = "queued", _("en file d'envoi")
        SENDING = "sending", _("envoi en cours")
        RETRY_WAIT = "retry_wait", _("nouvel essai prévu")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")
        CANCELLED = "cancelled", _("annulé")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="emails", verbose_name=_("commande"))
    draft = models.OneToOneField(
        EmailDraft, on_delete=models.SET_NULL, null=True, blank=True, related_name="outgoing_email"
    )
    sender = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="sent_emails", verbose_name=_("expéditeur")
    )
    template_type = models.CharField(_("type"), max_length=50, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    from_header = models.CharField(_("de"), max_length=400)
    reply_to = models.CharField(_("répondre à"), max_length=400, blank=True)
    to = models.JSONField(_("à"), default=list)
    cc = models.JSONField(_("cc"), default=list)
    bcc = models.JSONField(_("cci"), default=list)
    subject = models.CharField(_("concerne"), max_length=300)
    text_body = models.TextField(_("texte"))
    html_body = models.TextField(_("HTML"))
    raw_sha256 = models.CharField(_("SHA-256 du message"), max_length=64)
    raw_size = models.PositiveBigIntegerField(_("taille du message"))
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    status = models.CharField(_("statut"), max_length=12, choices=Status, default=Status.QUEUED)
    attempt_count = models.PositiveIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    # The claim that holds the row while it is sending: a worker changes the row only while
    # it carries that worker's token (see emails.outbox.worker).
    lease_token = models.UUIDField(_("jeton du bail"), null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("bail jusqu'au"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    smtp_reply = models.TextField(_("réponse du serveur"), blank=True)
    failure_reason = models.TextField(_("raison de l'échec"), blank=True)
    # What the recipients' statuses (EmailRecipient) come to; written by the delivery room.
    delivery = models.CharField(_("remise"), max_length=16, choices=Delivery, blank=True, default="")

    class Meta:
        verbose_name = _("eMail envoyé")
        verbose_name_plural = _("eMails envoyés")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["order", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["-created_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class OutgoingAttachment(models.Model):
    email = models.ForeignKey(OutgoingEmail, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("nom de fichier"), max_length=120)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    document_kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind, blank=True)
    work_report = models.ForeignKey(
        WorkReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rapport")
    )

    class Meta:
        verbose_name = _("annexe envoyée")
        verbose_name_plural = _("annexes envoyées")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.filename


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENT = "sent", _("accepté")
        TEMPORARY = "temporary", _("échec temporaire")
        PERMANENT = "permanent", _("échec définitif")

    email = models.ForeignKey(OutgoingEmail, on_delete=models.PROTECT, related_name="attempts")
    started_at = models.DateTimeField(_("début"))
    finished_at = models.DateTimeField(_("fin"))
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome)
    smtp_code = models.PositiveSmallIntegerField(_("code SMTP"), null=True, blank=True)
    smtp_reply = models.TextField(_("réponse SMTP"), blank=True)
    error = models.TextField(_("erreur"), blank=True)
    # {address: reply} of the recipients the server refused at RCPT.
    refused = models.JSONField(_("destinataires refusés"), default=dict, blank=True)
    worker = models.CharField(_("processus"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("tentative d'envoi")
        verbose_name_plural = _("tentatives d'envoi")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class EmailNote(models.Model):
    """An internal note on an archived email: append-only, never sent."""

    email = models.ForeignKey(OutgoingEmail, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur"))
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("note interne")
        verbose_name_plural = _("notes internes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class FailedEmail(OutgoingEmail):
    """The backoffice's list of emails that could not be delivered."""

    class Meta:
        proxy = True
        verbose_name = _("eMail en échec")
        verbose_name_plural = _("eMails en échec")


class EmailRecipient(models.Model):
    """One recipient of an outgoing email (To, Cc or Bcc) and what became of the message for it.

    Written by the delivery room only: accepted or refused when the relay answered, then
    moved by what comes back (success, delay and failure reports, auto-replies).
    """

    class Kind(models.TextChoices):
        TO = "to", _("à")
        CC = "cc", _("cc")
        BCC = "bcc", _("cci")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente d'envoi")
        ACCEPTED = "accepted", _("accepté par le relais")
        REFUSED = "refused", _("refusé par le relais")
        DELIVERED = "delivered", _("remis")
        DEFERRED = "deferred", _("remise retardée")
        BOUNCED = "bounced", _("non remis")
        AUTO_REPLIED = "auto_replied", _("réponse automatique")

    class Bounce(models.TextChoices):
        HARD = "hard", _("définitif")
        SOFT = "soft", _("temporaire")

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="recipients")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("type"), max_length=3, choices=Kind)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    address = models.CharField(_("adresse"), max_length=254)
    status = models.CharField(_("statut"), max_length=12, choices=Status, default=Status.PENDING)
    bounce = models.CharField(_("non-remise"), max_length=4, choices=Bounce, blank=True)
    # RFC 3463 (5.1.1), and the server's or the report's words.
    status_code = models.CharField(_("code"), max_length=16, blank=True)
    diagnostic = models.TextField(_("diagnostic"), blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"))
    report = models.ForeignKey(
        "DeliveryReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recipients",
        verbose_name=_("rapport"),
    )

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["email", "address"], name="email_recipient_once_per_email"),
        ]

    def __str__(self) -> str:
        return self.address


class DeliveryReport(models.Model):
    """A message read from the bounce mailbox and recognised: a bounce, a DSN, an auto-reply.

    Its bytes are kept in the content store (blob, by SHA-256), so it stays readable and
    downloadable from the email it concerns after it left the mailbox.
    """

    class Kind(models.TextChoices):
        BOUNCE = "bounce", _("non-remise")
        DELIVERED = "delivered", _("avis de remise")
        AUTO_REPLY = "auto_reply", _("réponse automatique")
        FEEDBACK = "feedback", _("plainte (ARF)")

    class MatchedBy(models.TextChoices):
        VERP = "verp", _("adresse de retour (VERP)")
        ENVID = "envid", _("ENVID du DSN")
        MESSAGE_ID = "message_id", _("Message-ID renvoyé")
        NONE = "", _("non rattaché")

    raw_sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    raw_size = models.PositiveBigIntegerField(_("taille"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind)
    email = models.ForeignKey(
        OutgoingEmail,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_reports",
        verbose_name=_("eMail"),
    )
    matched_by = models.CharField(_("rattaché par"), max_length=10, choices=MatchedBy, blank=True)
    from_header = models.CharField(_("de"), max_length=400, blank=True)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rapport de remise")
        verbose_name_plural = _("rapports de remise")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["email", "received_at"])]

    def __str__(self) -> str:
        return self.subject or self.raw_sha256[:12]

    @property
    def filename(self) -> str:
        return f"rapport-{self.pk}.eml"


class HardBouncedAddress(models.Model):
    """An address a server declared permanently unusable; the composer warns when it is chosen.

    Keyed by the address (lowercase), so it covers a contact wherever the address is used.
    """

    address = models.CharField(_("adresse"), max_length=254, unique=True)
    bounced_at = models.DateTimeField(_("non remis le"))
    status_code = models.CharField(_("code"), max_length=16, blank=True)
    diagnostic = models.TextField(_("diagnostic"), blank=True)
    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("eMail")
    )

    class Meta:
        verbose_name = _("adresse en échec définitif")
        verbose_name_plural = _("adresses en échec définitif")
        ordering = ["-bounced_at"]

    def __str__(self) -> str:
        return self.address


class BounceMailbox(models.Model):
    """The mailbox the relays return bounces to (one row), and how its last reading went.

    Empty fields fall back to EMAIL_BOUNCE_MAILBOX; see emails.delivery.mailbox_settings.
    """

    class Security(models.TextChoices):
        IMAPS = "imaps", _("TLS implicite (imaps, port 993)")
        STARTTLS = "starttls", _("STARTTLS (imap, port 143)")
        PLAIN = "plain", _("sans chiffrement (réseau local uniquement)")

    enabled = models.BooleanField(_("lire la boîte des retours"), default=True)
    host = models.CharField(
        _("serveur IMAP"), max_length=253, blank=True, help_text=_("Vide : la variable EMAIL_BOUNCE_MAILBOX.")
    )
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    security = models.CharField(_("sécurité"), max_length=8, choices=Security, default=Security.IMAPS)
    username = models.CharField(_("utilisateur"), max_length=254, blank=True)
    # Encrypted by organisatrice.vault; never shown again.
    password_encrypted = models.TextField(_("mot de passe chiffré"), blank=True, editable=False)
    folder = models.CharField(_("dossier lu"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("dossier des rapports traités"),
        max_length=200,
        default="Rapports de remise",
        help_text=_("Créé s'il manque ; les autres messages restent où ils sont, intacts."),
    )
    poll_seconds = models.PositiveIntegerField(
        _("intervalle de lecture (secondes)"), null=True, blank=True, help_text=_("Vide : EMAIL_BOUNCE_POLL_SECONDS.")
    )

    # The reading's state: where it stopped, and the status line of the backoffice.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    next_poll_at = models.DateTimeField(_("prochaine lecture"), null=True, blank=True, editable=False)
    last_poll_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("dernière lecture réussie"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("dernière erreur"), blank=True, editable=False)
    failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0, editable=False)
    reports_total = models.PositiveIntegerField(_("rapports traités"), default=0, editable=False)

    class Meta:
        verbose_name = _("boîte des retours (bounces)")
        verbose_name_plural = _("boîte des retours (bounces)")

    def __str__(self) -> str:
        return str(_("Boîte des retours"))
