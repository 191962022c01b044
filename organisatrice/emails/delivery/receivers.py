"""What the delivery room does when the outbox announces an acceptance (emails.outbox.signals).

It runs after every email the relay accepts, in the delivery loop's time: one query in
the usual case. Until a report comes back, a recipient's status follows the email's
(selectors.email_recipients); rows are written now only for recipients refused at RCPT.
"""

import time

from ..models import DeliveryAttempt
from .polling import bounce_poll_ensure
from .services import recipients_record_sent

# How long a process trusts that the reading chain runs, once it has seen it running.
CHAIN_CHECK_SECONDS = 10.0
_chain_checked_at = -CHAIN_CHECK_SECONDS


def recipients_on_acceptance(sender: object, *, email_id: int, **kwargs: object) -> None:
    """email_accepted: the recipients refused at RCPT kept, and the bounce mailbox's reading running."""
    global _chain_checked_at
    refused = (
        DeliveryAttempt.objects.filter(email_id=email_id, outcome=DeliveryAttempt.Outcome.SENT)
        .order_by("-finished_at", "-id")
        .values_list("refused", flat=True)
        .first()
    )
    if refused:
        recipients_record_sent(email_id=email_id, refused=refused)
    if time.monotonic() - _chain_checked_at >= CHAIN_CHECK_SECONDS:
        bounce_poll_ensure()
        _chain_checked_at = time.monotonic()
