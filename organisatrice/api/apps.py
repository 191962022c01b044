from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "organisatrice.api"
    label = "api"
    verbose_name = _("API d'intégration")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from . import signals

        user_model = get_user_model()
        pre_save.connect(signals.user_pre_save, sender=user_model, dispatch_uid="api_tokens_user_pre_save")
        post_save.connect(signals.user_post_save, sender=user_model, dispatch_uid="api_tokens_user_post_save")
