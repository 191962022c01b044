"""Why a recipient has its status, in the user's language: from the RFC 3463 code, else the status.

The server's own words (the diagnostic) are shown too, as they came; this says what they mean.
"""

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from ..models import EmailRecipient

Status = EmailRecipient.Status

# RFC 3463 subject.detail → meaning, for bounces and delays.
_BY_CODE: dict[str, StrPromise] = {
    "1.1": _("adresse inconnue chez le destinataire"),
    "1.2": _("domaine du destinataire inconnu"),
    "1.3": _("adresse du destinataire mal formée"),
    "1.6": _("le destinataire a changé d'adresse"),
    "1.10": _("le domaine du destinataire n'accepte aucun eMail"),
    "2.1": _("boîte aux lettres désactivée"),
    "2.2": _("boîte aux lettres pleine"),
    "2.3": _("message trop volumineux pour cette boîte"),
    "3.4": _("message trop volumineux pour le serveur"),
    "4.4": _("serveur du destinataire injoignable"),
    "4.7": _("délai de remise dépassé"),
    "7.1": _("refusé par le serveur du destinataire (règles, filtre)"),
    "7.26": _("refusé : l'authentification de l'expéditeur (DMARC) a échoué"),
}
_BY_CLASS: dict[str, StrPromise] = {
    "hard": _("adresse définitivement inutilisable"),
    "soft": _("refusé par le serveur du destinataire"),
    "4": _("échec temporaire : le relais réessaie"),
}
_BY_STATUS: dict[str, StrPromise] = {
    Status.PENDING: _("pas encore remis au relais de l'entreprise"),
    Status.ACCEPTED: _("accepté par le relais de l'entreprise ; aucune nouvelle du serveur du destinataire"),
    Status.REFUSED: _("refusé par le relais de l'entreprise à l'envoi"),
    Status.DELIVERED: _("remis au serveur du destinataire"),
    Status.AUTO_REPLIED: _("réponse automatique (absence) : le message est arrivé"),
}


def recipient_reason(row: EmailRecipient) -> StrPromise:
    if row.status in (Status.BOUNCED, Status.DEFERRED) or (row.status == Status.REFUSED and row.status_code):
        code = row.status_code.split(".", 1)[1] if row.status_code.count(".") == 2 else ""
        if code in _BY_CODE:
            return _BY_CODE[code]
        if row.status == Status.DEFERRED or row.status_code.startswith("4"):
            return _BY_CLASS["4"]
        if row.status == Status.BOUNCED:
            return _BY_CLASS["hard" if row.bounce == EmailRecipient.Bounce.HARD else "soft"]
    return _BY_STATUS.get(row.status, _BY_STATUS[Status.REFUSED])
