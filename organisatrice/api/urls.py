from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from .api import api


def unknown_path(request: HttpRequest, rest: str) -> JsonResponse:
    # Under /api/v1/ every answer is JSON, also for a path the API does not have.
    return JsonResponse({"detail": _("Cette adresse n'existe pas dans l'API.")}, status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown_path),
]
