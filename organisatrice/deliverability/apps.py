from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliverabilityConfig(AppConfig):
    name = "organisatrice.deliverability"
    label = "deliverability"
    verbose_name = _("Délivrabilité")
