"""What the outbox tells the rest of the product, without knowing who listens.

email_accepted: the relay accepted an email, and that is stored (sent once the transaction
that recorded it commits). Keyword `email_id`. Also for an acceptance that came back after
the lease was lost; two workers that both got one (the message went out twice) both say
so, so a listener must be idempotent. It runs outside any transaction and should only
enqueue work: its exceptions are logged, not raised.
"""

from django.db import transaction
from django.dispatch import Signal

email_accepted = Signal()


def email_accepted_on_commit(*, email_id: int) -> None:
    def announce() -> None:
        email_accepted.send(sender="emails.OutgoingEmail", email_id=email_id)

    transaction.on_commit(announce, robust=True)
