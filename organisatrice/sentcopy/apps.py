from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SentCopyConfig(AppConfig):
    name = "organisatrice.sentcopy"
    label = "sentcopy"
    verbose_name = _("Copie dans les envoyés")

    def ready(self) -> None:
        from organisatrice.emails.outbox.signals import email_accepted

        from .services import sent_copy_on_acceptance

        email_accepted.connect(sent_copy_on_acceptance, dispatch_uid="sentcopy_on_acceptance")
