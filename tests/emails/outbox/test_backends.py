"""Delivery, retries and the lease reclaim through real Tasks backends, the same tests on each:

- database: django-tasks-db, its `db_worker` run in this process until no task is due;
- rq: django-tasks-rq, a real RQ worker (SimpleWorker, burst mode, with its scheduler for
  the wake-ups due later) against the Redis at 127.0.0.1:6379.

The tests commit (transaction=True): the wake-ups leave when the Sends commit, as they do
in production. Each RQ test takes a Redis database of its own, leased by number in db 0,
so that test runs side by side do not take each other's jobs.
"""

import datetime
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from organisatrice.emails.models import DeliveryAttempt, OutgoingEmail
from organisatrice.emails.outbox.tasks import outbox_attempt_start, outbox_claim_due
from tests.emails.outgoing import outgoing_email_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

Status = OutgoingEmail.Status
Outcome = DeliveryAttempt.Outcome
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@dataclass
class Backend:
    name: str
    # Runs a worker in this process until no task is due.
    run: Callable[[], None]
    # Tasks enqueued and not yet run, due now or later.
    waiting: Callable[[], int]


@contextmanager
def redis_database() -> Iterator[int]:
    import redis

    leases = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    for number in range(1, 16):
        lease = f"organisatrice:outbox-tests:redis-db:{number}"
        if leases.set(lease, os.getpid(), nx=True, ex=300):
            database = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
            database.flushdb()
            try:
                yield number
            finally:
                database.flushdb()
                leases.delete(lease)
            return
    raise RuntimeError("every Redis database is leased by another test run")


def database_backend(settings) -> Backend:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run() -> None:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)

    def waiting() -> int:
        return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()

    return Backend("database", run, waiting)


def rq_backend(settings, database: int) -> Backend:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    settings.RQ_QUEUES = {"default": {"HOST": REDIS_HOST, "PORT": REDIS_PORT, "DB": database}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

    def run() -> None:
        worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker)
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")

    def waiting() -> int:
        queue = django_rq.get_queue("default", job_class=Job)
        return len(queue) + len(ScheduledJobRegistry(queue=queue))

    return Backend("rq", run, waiting)


@pytest.fixture(params=["database", "rq"])
def backend(request, settings) -> Iterator[Backend]:
    if request.param == "database":
        yield database_backend(settings)
        return
    with redis_database() as database:
        yield rq_backend(settings, database)


def reloaded(email: OutgoingEmail) -> OutgoingEmail:
    email.refresh_from_db()
    return email


def wait_until(moment: datetime.datetime) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def test_a_send_is_delivered_by_the_backends_worker(backend, smtp_server, smtp_settings):
    email = outgoing_email_create()
    assert backend.waiting() == 1

    backend.run()

    assert reloaded(email).status == Status.SENT
    assert smtp_server.message_ids() == [email.message_id]
    assert reloaded(email).attempts.get().outcome == Outcome.SENT


def test_a_batch_of_sends_wakes_one_task(backend, smtp_server, smtp_settings):
    with transaction.atomic():
        emails = [outgoing_email_create() for _ in range(5)]

    assert backend.waiting() == 1
    backend.run()

    assert sorted(smtp_server.message_ids()) == sorted(email.message_id for email in emails)


def test_a_temporary_failure_is_retried_when_due(backend, smtp_server, smtp_settings):
    smtp_settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS = 1
    smtp_server.fail_next("451 4.3.0 Try again later")
    email = outgoing_email_create()

    backend.run()
    email = reloaded(email)
    assert email.status == Status.RETRY_WAIT
    assert email.next_attempt_at is not None
    # The retry's wake-up (and the claim's, at the end of its lease) waits in the backend,
    # not in a worker's sleep.
    assert backend.waiting() == 2
    wait_until(email.next_attempt_at)
    backend.run()

    email = reloaded(email)
    assert email.status == Status.SENT
    assert [a.outcome for a in email.attempts.all()] == [Outcome.TEMPORARY, Outcome.SENT]
    assert smtp_server.message_ids() == [email.message_id]


def test_a_dead_workers_emails_are_reclaimed_when_its_lease_ends(backend, smtp_server, smtp_settings):
    smtp_settings.EMAIL_OUTBOX_LEASE_SECONDS = 1
    emails = [outgoing_email_create() for _ in range(2)]
    # A worker claims both and dies while sending the first: nothing else is recorded.
    claimed = outbox_claim_due(limit=10)
    assert outbox_attempt_start(claimed=claimed[0])
    backend.run()
    assert smtp_server.received == []

    wait_until(claimed[0].lease_expires_at + datetime.timedelta(seconds=1))
    backend.run()

    assert {reloaded(email).status for email in emails} == {Status.SENT}
    assert sorted(smtp_server.message_ids()) == sorted(email.message_id for email in emails)
    interrupted = reloaded(next(email for email in emails if email.pk == claimed[0].id))
    assert [a.outcome for a in interrupted.attempts.all()] == [Outcome.TEMPORARY, Outcome.SENT]
    assert interrupted.attempt_count == 2
