"""Real `manage.py db_worker` processes delivering the outbox: promptness, a killed worker,
and several workers sharing one queue.

The workers need a database they can see. On PostgreSQL that is the test database
itself (the tests run with transaction=True, so what they write is committed). SQLite's
test database lives in the test process's memory: it is copied to a file for the
workers, and copied back afterwards so the test can read the result with the ORM.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from organisatrice.emails.models import DeliveryAttempt, OutgoingEmail
from tests.emails.outgoing import outgoing_email_copies, outgoing_email_create
from tests.smtp_server import SmtpTestServer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
Status = OutgoingEmail.Status
Outcome = DeliveryAttempt.Outcome


@dataclass
class SharedDatabase:
    url: str
    push: Callable[[], None]  # makes what the test wrote visible to the workers
    pull: Callable[[], None]  # makes what the workers wrote visible to the test


@pytest.fixture
def shared_database(tmp_path: Path) -> SharedDatabase:
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        credentials = urllib.parse.quote(params["USER"] or "")
        if params["PASSWORD"]:
            credentials += ":" + urllib.parse.quote(params["PASSWORD"])
        url = f"postgres://{credentials}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{params['NAME']}"
        return SharedDatabase(url=url, push=lambda: None, pull=lambda: None)
    assert connection.vendor == "sqlite"
    path = tmp_path / "shared.sqlite3"

    def push() -> None:
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)

    def pull() -> None:
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)

    return SharedDatabase(url=f"sqlite:///{path}", push=push, pull=pull)


def process_environment(database: SharedDatabase, server: SmtpTestServer, **env: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.emails.outbox.worker_settings",
        "DATABASE_URL": database.url,
        "EMAIL_HOST": server.host,
        "EMAIL_PORT": str(server.port),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **env,
    }


class Worker:
    def __init__(self, *, name: str, environment: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                    "--worker-id",
                    name,
                ],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stops gracefully: the task in progress finishes first."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def is_idle(self) -> bool:
        """Started and polling for tasks (db_worker says so once Django is set up)."""
        return "Starting worker" in self.output()


@pytest.fixture
def start_worker(shared_database: SharedDatabase, smtp_server: SmtpTestServer, tmp_path: Path) -> Iterator:
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        number = len(workers)
        worker = Worker(
            name=f"test-worker-{number}",
            environment=process_environment(shared_database, smtp_server, **env),
            log=tmp_path / f"worker-{number}.log",
        )
        workers.append(worker)
        return worker

    yield start
    # Before the test database is flushed or dropped, no worker may hold it.
    for worker in workers:
        worker.stop()


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, workers: list[Worker]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(w.output()[-3000:] for w in workers)
            raise AssertionError(f"{what}: not within {timeout} s. Worker output:\n{logs}")
        time.sleep(0.01)


SEND = """
import time, django
django.setup()
from tests.emails.outgoing import outgoing_email_copies, outgoing_email_create
email = outgoing_email_create()
print(email.message_id, time.monotonic())
"""


def test_a_queued_email_is_delivered_promptly_by_an_idle_worker(shared_database, start_worker, smtp_server):
    shared_database.push()
    worker = start_worker()
    wait_until(worker.is_idle, timeout=20, what="worker start", workers=[worker])

    # The Send happens in another process, as a web request would, and commits there.
    sent = subprocess.run(
        [sys.executable, "-c", SEND],
        cwd=ROOT,
        env=process_environment(shared_database, smtp_server),
        capture_output=True,
        text=True,
        check=True,
    )
    message_id, committed_at = sent.stdout.split()
    wait_until(lambda: smtp_server.received, timeout=10, what="delivery", workers=[worker])

    [received] = smtp_server.received
    assert received.message_id == message_id
    # This worker polls every 0.1 s (the devserver's every 0.2 s): a tenth of a second is
    # typical; the margin is for a busy test machine. bench_sending measures the p95.
    assert received.received_at - float(committed_at) < 1.5


def test_a_worker_killed_mid_batch_loses_nothing(shared_database, start_worker, smtp_server):
    emails = [outgoing_email_create(subject=f"Rapport {number:02d}") for number in range(30)]
    expected = {email.message_id for email in emails}
    shared_database.push()
    # The sixth message reaches the server, which holds its reply: the worker is killed
    # with that message in flight, four more claimed in its batch and not yet started.
    reached, released = smtp_server.hold_next(after=5)

    first = start_worker(TEST_OUTBOX_LEASE_SECONDS="2")
    wait_until(reached.is_set, timeout=30, what="the sixth message", workers=[first])
    first.kill()
    released.set()
    in_flight = smtp_server.received[5].message_id

    second = start_worker(TEST_OUTBOX_LEASE_SECONDS="2")
    wait_until(
        lambda: set(smtp_server.message_ids()) >= expected, timeout=60, what="every email", workers=[first, second]
    )
    # Let the worker record the last result before it stops.
    time.sleep(0.5)
    second.stop()
    shared_database.pull()

    counts = Counter(smtp_server.message_ids())
    assert set(counts) == expected
    assert {message_id for message_id, count in counts.items() if count > 1} <= {in_flight}
    sent_bytes: dict[str, set[bytes]] = {}
    for message in smtp_server.received:
        sent_bytes.setdefault(message.message_id, set()).add(message.data)
    assert all(len(versions) == 1 for versions in sent_bytes.values())
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    interrupted = OutgoingEmail.objects.get(message_id=in_flight)
    assert [a.outcome for a in interrupted.attempts.all()] == [Outcome.TEMPORARY, Outcome.SENT]
    assert interrupted.attempt_count == 2
    # The others were attempted once each, the claimed-but-unstarted ones included.
    others = OutgoingEmail.objects.exclude(message_id=in_flight)
    assert sorted(set(others.values_list("attempt_count", flat=True))) == [1]
    assert DeliveryAttempt.objects.filter(outcome=Outcome.SENT).count() == 30


def test_four_workers_send_two_thousand_emails_each_exactly_once(shared_database, start_worker, smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: parallel claims rely on SKIP LOCKED, SQLite serialises them")
    with transaction.atomic():
        emails = outgoing_email_copies(outgoing_email_create(enqueue=False), count=2000)
    expected = {email.message_id for email in emails}

    started = time.monotonic()
    workers = [start_worker() for _ in range(4)]
    wait_until(lambda: len(smtp_server.received) >= len(expected), timeout=60, what="2,000 deliveries", workers=workers)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    for worker in workers:
        worker.stop()

    counts = Counter(smtp_server.message_ids())
    assert set(counts) == expected
    assert max(counts.values()) == 1
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 2000
    assert elapsed < 45
    # Every worker took a share.
    assert len(set(DeliveryAttempt.objects.values_list("worker", flat=True))) == 4
