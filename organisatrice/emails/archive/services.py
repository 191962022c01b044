"""Writes of the archive: internal notes on sent emails."""

from django.db import transaction
from django.utils.translation import gettext as _

from organisatrice.orders.models import OrderEvent
from organisatrice.orders.services import order_event_record
from organisatrice.people.models import Employee

from ..errors import InputInvalid
from ..models import EmailNote, OutgoingEmail
from ..policy import ensure_can_read_archive

NOTE_MAX_LENGTH = 5000


@transaction.atomic
def email_note_add(*, email: OutgoingEmail, author: Employee, text: str) -> EmailNote:
    """An internal note on an archived email: kept with author and time, never sent."""
    ensure_can_read_archive(employee=author, order=email.order)
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise InputInvalid({"text": [_("La note est vide.")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise InputInvalid({"text": [_("La note est trop longue (5000 caractères au plus).")]})
    note = EmailNote.objects.create(email=email, author=author, text=text)
    order_event_record(
        order_id=email.order_id, kind=OrderEvent.Kind.EMAIL_NOTE, actor_id=author.pk, email_id=email.pk, text=text
    )
    return note
