from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "organisatrice.orders"
    label = "orders"
    verbose_name = _("Commandes")

    def ready(self) -> None:
        from .search_upkeep import search_upkeep_connect

        search_upkeep_connect()
