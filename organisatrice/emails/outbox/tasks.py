"""Background tasks of the email app, run by `manage.py db_worker` (or any Tasks backend).

deliver_due_emails is enqueued when a Send commits, at the end of each claim's lease and
at each retry's due time (see outbox.delivery_schedule); it keeps no loop or sleep of its
own beyond going through the batches that are due now.
"""

import hashlib
import logging
import os
import socket
import time
from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from organisatrice.content_store import blob_read

from .machine import (
    ClaimedEmail,
    outbox_attempt_record,
    outbox_attempt_start,
    outbox_claim_due,
    outbox_settings,
)
from .smtp import Outcome, SmtpConnection, SmtpResult, Stage

logger = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@task()
def deliver_due_emails() -> dict[str, int]:
    """Sends every email that is due, a batch at a time, over one SMTP connection."""
    return deliver_due(worker=worker_name())


class _Undeliverable(Exception):
    def __init__(self, result: SmtpResult) -> None:
        super().__init__(result.error)
        self.result = result


def _frozen_message(claimed: ClaimedEmail) -> bytes:
    """The bytes archived at Send, checked against their SHA-256 before they leave."""
    try:
        raw = blob_read(claimed.raw_sha256)
    except FileNotFoundError as error:
        raise _Undeliverable(
            SmtpResult(Outcome.PERMANENT, Stage.LOCAL, error=_("Le message archivé est introuvable dans le stockage."))
        ) from error
    except Exception as error:
        # The storage (a disk, an S3 bucket) may well be back in a moment.
        raise _Undeliverable(
            SmtpResult(Outcome.TEMPORARY, Stage.LOCAL, error=f"{type(error).__name__}: {error}")
        ) from error
    if hashlib.sha256(raw).hexdigest() != claimed.raw_sha256:
        raise _Undeliverable(
            SmtpResult(
                Outcome.PERMANENT,
                Stage.LOCAL,
                error=_("Le message archivé ne correspond plus à son empreinte SHA-256 : il n'est pas envoyé."),
            )
        )
    return raw


def deliver_due(*, worker: str) -> dict[str, int]:
    """Claims due emails batch after batch and sends them; returns the count per new status.

    Stops when a claim finds less than a full batch (a full one has already woken
    another task for the rest), or when its time is up.
    """
    config = outbox_settings()
    deadline = time.monotonic() + config.task_seconds
    counts: Counter[str] = Counter()

    def may_start(claimed: ClaimedEmail) -> bool:
        # Starting with less than half the lease left risks a reclaim while the message
        # is still on its way; the rest of the batch is reclaimed when the lease ends.
        return timezone.now() < claimed.lease_token - config.lease / 2

    with SmtpConnection.from_settings() as smtp:
        while True:
            batch = outbox_claim_due(limit=config.batch_size)
            # Each record marks the next email as begun: one transaction per email.
            started = bool(batch) and may_start(batch[0]) and outbox_attempt_start(claimed=batch[0])
            unreachable: SmtpResult | None = None
            for position, claimed in enumerate(batch):
                if not started:
                    # Out of time, or the lease was lost (the batch shares one): leave the rest.
                    counts["left"] += len(batch) - position
                    break
                started_at = timezone.now()
                if unreachable is not None:
                    # The server could not be reached a moment ago for this batch; try
                    # again with the next batch, not once per message.
                    result = unreachable
                else:
                    result = _send(smtp, claimed)
                    if result.stage == Stage.CONNECT:
                        unreachable = result
                following = batch[position + 1] if position + 1 < len(batch) else None
                recorded = outbox_attempt_record(
                    claimed=claimed,
                    result=result,
                    started_at=started_at,
                    finished_at=timezone.now(),
                    worker=worker,
                    start_next=following if following is not None and may_start(following) else None,
                )
                counts[recorded.status] += 1
                started = recorded.next_started
                if not result.accepted:
                    logger.warning("email %s: %s (%s)", claimed.id, result.outcome, result.describe())
            if len(batch) < config.batch_size or time.monotonic() > deadline:
                break
    return dict(counts)


def _send(smtp: SmtpConnection, claimed: ClaimedEmail) -> SmtpResult:
    if not claimed.envelope_from or not claimed.recipients:
        return SmtpResult(
            Outcome.PERMANENT, Stage.LOCAL, error=_("Expéditeur ou destinataires absents : rien à envoyer.")
        )
    try:
        raw = _frozen_message(claimed)
    except _Undeliverable as undeliverable:
        return undeliverable.result
    return smtp.sendmail(claimed.envelope_from, claimed.recipients, raw)
