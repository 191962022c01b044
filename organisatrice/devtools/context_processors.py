from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .views import may_see_every_email


def dev_sink(request: HttpRequest) -> dict[str, str]:
    """The top bar's link to the development sink's page, which config/urls.py routes in DEBUG only."""
    return {"dev_sink_url": reverse("devtools:sink")} if settings.DEBUG and may_see_every_email(request) else {}
