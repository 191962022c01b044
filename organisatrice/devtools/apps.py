from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "organisatrice.devtools"
    label = "devtools"
    verbose_name = "Development tools"
