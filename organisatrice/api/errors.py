"""How the API answers what went wrong: one JSON shape per kind of error, in the caller's language.

400, 422  {"detail": "...", "errors": [{"field": "...", "message": "..."}]}
401, 403, 404, 405, 413, 500  {"detail": "..."}
409  {"detail": "...", "email_id": 12}
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.log import log_response
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from organisatrice.emails.composer.errors import DraftAlreadySent
from organisatrice.emails.errors import InputInvalid
from organisatrice.emails.outbox.services import OutboxError

from .schemas import ConflictOut, ErrorOut, ValidationErrorOut

ERROR_RESPONSES: dict[int, type] = {
    400: ValidationErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
# For the operations that may answer 409, listed after the others: `responses(...) | CONFLICT`.
CONFLICT: dict[int, Any] = {409: ConflictOut}


def responses(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """An operation's responses: its own, then 401 and 422 (every operation may answer them) and `codes`."""
    return {**ok, **{code: ERROR_RESPONSES[code] for code in sorted({401, 422, *codes})}}


def _pydantic_message(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "value_error" and "error" in ctx:
        # Raised by our own validators, already written for the user.
        return str(ctx["error"])
    messages: dict[str, Callable[[], str]] = {
        "missing": lambda: _("Ce champ est obligatoire."),
        "extra_forbidden": lambda: _("Ce champ n'est pas prévu."),
        "string_type": lambda: _("Un texte est attendu."),
        "string_too_long": lambda: _("Texte trop long (%(max)s caractères au plus).") % {"max": ctx.get("max_length")},
        "string_too_short": lambda: (
            _("Texte trop court (%(min)s caractères au moins).") % {"min": ctx.get("min_length")}
        ),
        "int_type": lambda: _("Un nombre entier est attendu."),
        "int_parsing": lambda: _("Un nombre entier est attendu."),
        "int_from_float": lambda: _("Un nombre entier est attendu."),
        "greater_than_equal": lambda: _("La valeur doit être supérieure ou égale à %(ge)s.") % {"ge": ctx.get("ge")},
        "less_than_equal": lambda: _("La valeur doit être inférieure ou égale à %(le)s.") % {"le": ctx.get("le")},
        "bool_type": lambda: _("Vrai ou faux (true, false) est attendu."),
        "bool_parsing": lambda: _("Vrai ou faux (true, false) est attendu."),
        "list_type": lambda: _("Une liste est attendue."),
        "model_type": lambda: _("Un objet JSON est attendu."),
        "model_attributes_type": lambda: _("Un objet JSON est attendu."),
        "dict_type": lambda: _("Un objet JSON est attendu."),
        "enum": lambda: _("Valeur inconnue ; valeurs possibles : %(expected)s.") % {"expected": ctx.get("expected")},
        "literal_error": lambda: (
            _("Valeur inconnue ; valeurs possibles : %(expected)s.") % {"expected": ctx.get("expected")}
        ),
    }
    message = messages.get(kind)
    return message() if message else _("Valeur invalide.")


def _field(location: Iterable[Any]) -> str:
    """("body", "payload", "to", 0, "email") → "to.0.email"; ("query", "page") → "page"."""
    source, *parts = [str(part) for part in location] or ["body"]
    if source == "body":
        # The next part is the endpoint's parameter name ("payload"), not a field of the body.
        parts = parts[1:]
    return ".".join(parts) or source


def field_errors(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    """A service's errors (InputInvalid.errors) as the API's list of {field, message}."""
    listed: list[dict[str, str]] = []
    for key, messages in errors.items():
        # The composer's key for an attachment's name is "attachment-<id>".
        field = f"attachments.{key.removeprefix('attachment-')}.filename" if key.startswith("attachment-") else key
        listed.extend({"field": field, "message": str(message)} for message in messages)
    return listed


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
        errors = [{"field": _field(e.get("loc", ())), "message": _pydantic_message(e)} for e in error.errors]
        return answer(request, 422, {"detail": _("Données invalides."), "errors": errors})

    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        if error.status_code == 400:
            # ninja's only 400: a body that is not a JSON object.
            message = _("Le corps de la requête doit être un objet JSON valide.")
            return answer(request, 400, {"detail": message, "errors": [{"field": "body", "message": message}]})
        if isinstance(error, AuthenticationError):
            response = answer(
                request, 401, {"detail": _("Authentification requise : en-tête « Authorization: Bearer <jeton> ».")}
            )
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        return answer(request, error.status_code, {"detail": str(error)})

    def refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
        # MailRefused carries the policy's reason; any other refusal gets a plain one.
        return answer(request, 403, {"detail": str(error) or _("Accès refusé.")})

    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return answer(request, 404, {"detail": _("Introuvable, ou vous n'y avez pas accès.")})

    def input_invalid(request: HttpRequest, error: InputInvalid) -> HttpResponse:
        errors = field_errors(error.errors)
        return answer(request, 422, {"detail": " ".join(e["message"] for e in errors), "errors": errors})

    def already_sent(request: HttpRequest, error: DraftAlreadySent) -> HttpResponse:
        return answer(request, 409, {"detail": str(error), "email_id": error.email.pk})

    def outbox_refused(request: HttpRequest, error: OutboxError) -> HttpResponse:
        return answer(request, 409, {"detail": str(error)})

    def too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
        return answer(request, 413, {"detail": _("La requête est trop volumineuse.")})

    def suspicious(request: HttpRequest, error: SuspiciousOperation) -> HttpResponse:
        # Django's own answer to these (too many fields or files…) is a 400, not a crash.
        return answer(request, 400, {"detail": _("Requête refusée."), "errors": []})

    def crashed(request: HttpRequest, error: Exception) -> HttpResponse:
        # ninja would let Django answer with its HTML page; the traceback goes where Django logs its own 500s.
        response = answer(request, 500, {"detail": _("Erreur interne du serveur ; elle a été consignée.")})
        log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=error)
        return response

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (Exception, crashed),
        (ValidationError, invalid),
        (HttpError, http_error),
        (PermissionDenied, refused),
        (Http404, not_found),
        (InputInvalid, input_invalid),
        (DraftAlreadySent, already_sent),
        (OutboxError, outbox_refused),
        (RequestDataTooBig, too_big),
        (SuspiciousOperation, suspicious),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)
