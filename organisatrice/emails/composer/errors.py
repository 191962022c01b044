"""What the composer refuses: errors that carry, for each field, the messages to show."""

from django.utils.translation import gettext as _

from organisatrice.people.models import Employee

from ..errors import InputInvalid
from ..models import EmailDraft, OutgoingEmail


class DraftInvalid(InputInvalid):
    """The draft cannot be used as it is; `errors` maps each field to its messages."""


class DraftAlreadySent(Exception):
    """The draft became an email: whoever acted on it is shown that email.

    Raised wherever a sent draft is met, also when it was sent by another request after
    this one had read it (a double click, a stale tab), so that every caller can answer
    with the email instead of an error.
    """

    def __init__(self, email: OutgoingEmail) -> None:
        super().__init__(_("Ce brouillon a déjà été envoyé."))
        self.email = email


def ensure_editable(*, draft: EmailDraft, employee: Employee) -> None:
    if draft.author_id != employee.pk:
        raise DraftInvalid({"draft": [_("Ce brouillon appartient à un autre collaborateur.")]})
    if draft.status != EmailDraft.Status.EDITING:
        # Sent in the same transaction that wrote its email: the email is there.
        raise DraftAlreadySent(OutgoingEmail.objects.get(draft=draft))


def lock_editable(*, draft: EmailDraft, employee: Employee) -> EmailDraft:
    """The draft's row, locked until the transaction ends, checked again now that it is.

    Services check a draft early, do their slow work outside any transaction, then lock
    it in the short transaction that writes, where the check must hold again.
    """
    locked = EmailDraft.objects.select_for_update().get(pk=draft.pk)
    ensure_editable(draft=locked, employee=employee)
    return locked
