"""What every answer under /api/ shares, whichever part of Django or ninja wrote it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

API_PATH_PREFIX = "/api/"


class ApiAnswerMiddleware:
    """API answers are never kept by a cache, and are JSON also when ninja refuses a method itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(API_PATH_PREFIX):
            return response
        if isinstance(response, HttpResponseNotAllowed):
            # ninja answers a known path with another method in plain text.
            allowed = response["Allow"]
            message = _("Méthode non permise pour cette adresse ; méthodes permises : %(allowed)s.")
            response = JsonResponse({"detail": message % {"allowed": allowed}}, status=405)
            response["Allow"] = allowed
        add_never_cache_headers(response)
        return response
