"""The caller's own account: /me/sent-copy, the copy of their emails in their Sent folder."""

from django.http import Http404, HttpRequest
from ninja import Router, Status

from organisatrice.sentcopy.models import SentCopyMailbox
from organisatrice.sentcopy.selectors import sent_copy_mailbox_get
from organisatrice.sentcopy.services import SentCopyInvalid, sent_copy_mailbox_remove, sent_copy_mailbox_save

from ..auth import caller
from ..errors import responses
from .schemas import SentCopySavedOut, SentCopySettingsIn, SentCopySettingsOut

router = Router(tags=["Mon compte"])


@router.get("/me/sent-copy", response=responses({200: SentCopySettingsOut}, 404))
def sent_copy_get(request: HttpRequest) -> SentCopyMailbox:
    """The settings of the copy in your Sent folder (404 while it is off); never the password."""
    mailbox = sent_copy_mailbox_get(employee=caller(request))
    if mailbox is None:
        raise Http404
    return mailbox


@router.put("/me/sent-copy", response=responses({200: SentCopySavedOut}, 400))
def sent_copy_put(request: HttpRequest, payload: SentCopySettingsIn) -> Status:
    """Tests the login and the folder, stores the settings (the password encrypted) and turns
    the copy on; answers with the folder found. 400 with the reason when the login or the folder fails."""
    try:
        mailbox, test = sent_copy_mailbox_save(employee=caller(request), **payload.dict())
    except SentCopyInvalid as invalid:
        field = invalid.field or "username"
        return Status(400, {"detail": invalid.message, "errors": [{"field": field, "message": invalid.message}]})
    return Status(200, {**SentCopySettingsOut.from_orm(mailbox).dict(), "folders": list(test.folders)})


@router.delete("/me/sent-copy", response=responses({204: None}))
def sent_copy_delete(request: HttpRequest) -> Status:
    """Turns the copy off and forgets the settings and the password."""
    sent_copy_mailbox_remove(employee=caller(request))
    return Status(204, None)
