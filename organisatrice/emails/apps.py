from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailsConfig(AppConfig):
    name = "organisatrice.emails"
    label = "emails"
    verbose_name = _("eMail")

    def ready(self) -> None:
        from .delivery.receivers import recipients_on_acceptance
        from .outbox.signals import email_accepted

        email_accepted.connect(recipients_on_acceptance, dispatch_uid="delivery_recipients_on_acceptance")
