from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from organisatrice.people.lockout import LOCKED_OUT_STATUS, lockout_message
from organisatrice.people.selectors import employee_for_user

from ..errors import responses
from ..schemas import ErrorOut
from ..services import IssuedToken, api_token_create
from .schemas import TokenIn, TokenOut

router = Router(tags=["Authentification"])


@router.post("/auth/token", auth=None, response=responses({201: TokenOut}, 400, 403) | {LOCKED_OUT_STATUS: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[IssuedToken]:
    """A bearer token for an active employee; shown once, only its SHA-256 is kept.

    After a few wrong passwords, the name is locked out from that address for a while: 429."""
    # With the request, django-axes counts the failures as it does for the login pages.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise HttpError(LOCKED_OUT_STATUS, lockout_message(request))
        # The same answer for an unknown name, a wrong password and a deactivated account.
        raise HttpError(401, _("Nom d'utilisateur ou mot de passe incorrect."))
    if employee_for_user(user) is None:
        raise PermissionDenied(_("Ce compte n'est lié à aucun collaborateur."))
    return Status(201, api_token_create(user=user, name=payload.name, expires_at=payload.expires_at))
