"""What the composer refuses: errors that carry, for each field, the messages to show."""

from django.utils.translation import gettext as _

from organisatrice.people.models import Employee

from ..errors import InputInvalid
from ..models import EmailDraft, OutgoingEmail


class DraftInvalid(InputInvalid):
    """The draft cannot be used as it is; `errors` maps each field to its messages."""


class DraftAlreadySent(Exception):
    def __init__(self, email: OutgoingEmail) -> None:
        super().__init__(_("Ce brouillon a déjà été envoyé."))
        self.email = email


def ensure_editable(*, draft: EmailDraft, employee: Employee) -> None:
    if draft.author_id != employee.pk:
        raise DraftInvalid({"draft": [_("Ce brouillon appartient à un autre collaborateur.")]})
    if draft.status != EmailDraft.Status.EDITING:
        raise DraftInvalid({"draft": [_("Ce brouillon a déjà été envoyé ; il ne peut plus être modifié.")]})


def lock_editable(*, draft: EmailDraft, employee: Employee) -> EmailDraft:
    """The draft's row, locked until the transaction ends, checked again now that it is.

    Services check a draft early, do their slow work outside any transaction, then lock
    it in the short transaction that writes, where the check must hold again.
    """
    locked = EmailDraft.objects.select_for_update().get(pk=draft.pk)
    ensure_editable(draft=locked, employee=employee)
    return locked
