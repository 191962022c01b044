from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .api import api


# Exempt like ninja's own views: the answer is the same for every method, and changes nothing.
@csrf_exempt
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    # Under /api/v1/ every answer is JSON, also for a path the API does not have.
    return api.create_response(request, {"detail": _("Cette adresse n'existe pas dans l'API.")}, status=404)


urlpatterns = [
    # Before ninja's own root view, which answers with Django's HTML 404 (and CSRF) pages.
    path("", unknown_path),
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown_path),
]
