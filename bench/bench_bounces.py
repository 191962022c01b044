"""Bounces: parsed and matched per second on one core, and the delay from arrival to status.

- parse_and_match: one process reads messages as the bounce task does (bounce_parse, then
  the match to an email by VERP token, ENVID or returned Message-ID, with its queries):
  the 432 real bounces, auto-replies and ordinary messages of the corpus
  (tests/emails/delivery/corpus, most tied to no email of ours, so every tie is tried),
  and as many Postfix-style reports about emails in the database. Rate = messages over
  the process's CPU time (one core), wall time beside it.
- record: the same reports recorded (report kept, recipients moved, timeline, summary).
- arrival_to_status: a real Dovecot (Debian's dovecot-imapd) holds the bounce mailbox;
  reports are appended at random moments while the task's reading runs every
  POLL_SECONDS; each delay runs from the APPEND to the recipient's status on the email.
  The reading's own cost shows at a 1 s interval; at the default 60 s interval, the wait
  for the next reading adds half an interval on average (the figure given beside).
"""

import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import django

from bench.common import emit, percentile, result_from_samples

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPORTS = 100 if QUICK else 500
ARRIVALS = 20 if QUICK else 60
POLL_SECONDS = 1.0
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "emails" / "delivery" / "corpus"
SEED = 2026


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    emails = _emails(REPORTS)
    reports = [_report(email, number) for number, email in enumerate(emails)]
    corpus = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    _parse_and_match(corpus + reports)
    _record(reports)
    _arrival_to_status()


def _emails(count: int) -> list:
    from organisatrice.devtools.demo import demo_seed
    from organisatrice.orders.models import Order
    from organisatrice.people.models import Employee
    from tests.emails.outgoing import outgoing_email_copies, outgoing_email_create

    if not Order.objects.exists():
        demo_seed(orders=5, seed=SEED)
    first = outgoing_email_create(
        order=Order.objects.order_by("number").first(),
        sender=Employee.objects.get(user__username="dispatcher"),
        to=[{"name": "Anne Favre", "email": "anne.favre@gerance.ch"}, {"name": "", "email": "inconnu@gerance.ch"}],
        enqueue=False,
    )
    return [first, *outgoing_email_copies(first, count=count - 1)]


def _report(email, number: int, *, boundary: str = "B") -> bytes:
    from tests.emails.delivery.reports import dsn_for

    failure = (
        "inconnu@gerance.ch",
        "5.1.1",
        "550 5.1.1 <inconnu@gerance.ch>: Recipient address rejected: User unknown",
    )
    # A third of the reports tie by VERP, a third by ENVID only, a third by the returned Message-ID only.
    verp, envid, message_id = [(True, True, True), (False, True, False), (False, False, True)][number % 3]
    return dsn_for(
        email, failed=[failure], boundary=f"{boundary}{number}", verp=verp, envid=envid, returned_message_id=message_id
    )


def _parse_and_match(messages: list[bytes]) -> None:
    from organisatrice.emails.delivery.matching import reports_match
    from organisatrice.emails.delivery.parsing import bounce_parse
    from organisatrice.emails.delivery.reports import ReportKind

    def run() -> int:
        # As the mailbox is read: fifty messages a fetch, their reports matched in one query.
        tied = 0
        for start in range(0, len(messages), 50):
            parsed = [bounce_parse(raw) for raw in messages[start : start + 50]]
            reports = [report for report in parsed if report.kind != ReportKind.OTHER]
            tied += sum(match.email_id is not None for match in reports_match(reports))
        return tied

    run()  # warm-up: regular expressions compiled, connections open
    rounds = 2 if QUICK else 5
    cpu, wall = [], []
    for _ in range(rounds):
        started_cpu, started = time.process_time(), time.perf_counter()
        tied = run()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    per_message = [seconds * 1000 / len(messages) for seconds in cpu]
    emit(
        result_from_samples(
            bench="bounces",
            case="parse_and_match",
            samples=per_message,
            extra={
                "messages": len(messages),
                "tied": tied,
                "per_second_cpu": round(len(messages) / statistics.median(cpu)),
                "per_second_wall": round(len(messages) / statistics.median(wall)),
            },
        )
    )


def _record(reports: list[bytes]) -> None:
    from organisatrice.emails.delivery.parsing import bounce_parse
    from organisatrice.emails.delivery.services import delivery_report_record

    samples = []
    for raw in reports:
        started = time.perf_counter()
        delivery_report_record(raw=raw, parsed=bounce_parse(raw))
        samples.append((time.perf_counter() - started) * 1000)
    emit(
        result_from_samples(
            bench="bounces",
            case="parse_match_record",
            samples=samples,
            extra={"per_second_wall": round(1000 * len(samples) / sum(samples))},
        )
    )


def _arrival_to_status() -> None:
    if shutil.which("dovecot") is None:
        print("arrival_to_status: dovecot is not installed, skipped", flush=True)
        return
    from django.conf import settings
    from imapclient import IMAPClient

    from organisatrice.emails.delivery.polling import bounce_poll_run
    from organisatrice.emails.models import EmailRecipient
    from tests.servers.dovecot import DovecotServer

    root = Path(tempfile.mkdtemp(prefix="bench-bounces-"))
    root.chmod(0o755)
    server = DovecotServer(root)
    address, password = "retours@dupont-sa.ch", "bench-secret"
    server.add_user(address, password)
    server.start()
    settings.EMAIL_BOUNCE_MAILBOX = f"imap://{quote(address, safe='')}:{password}@{server.host}:{server.port}/INBOX"
    emails = _emails(ARRIVALS)
    arrived: dict[int, float] = {}
    stop = threading.Event()
    polls: list[float] = []

    def reading() -> None:
        # The task as the worker runs it: a reading every POLL_SECONDS.
        while not stop.is_set():
            started = time.perf_counter()
            bounce_poll_run()
            polls.append(time.perf_counter() - started)
            stop.wait(max(0.0, POLL_SECONDS - (time.perf_counter() - started)))

    try:
        bounce_poll_run()
        reader = threading.Thread(target=reading)
        reader.start()
        noise = random.Random(SEED)
        client = IMAPClient(server.host, port=server.port, ssl=False, timeout=10)
        client.login(address, password)
        for number, email in enumerate(emails):
            time.sleep(noise.uniform(0, 2 * POLL_SECONDS / 3))
            client.append("INBOX", _report(email, 0, boundary=f"A{number}"))
            arrived[email.pk] = time.time()
        client.logout()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = EmailRecipient.objects.filter(email_id__in=arrived, status="bounced").count()
            if done == len(arrived):
                break
            time.sleep(0.1)
    finally:
        stop.set()
        reader.join()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    delays = [
        (row.updated_at.timestamp() - arrived[row.email_id]) * 1000
        for row in EmailRecipient.objects.filter(email_id__in=arrived, status="bounced")
    ]
    assert len(delays) == len(arrived), (len(delays), len(arrived))
    emit(
        result_from_samples(
            bench="bounces",
            case=f"arrival_to_status_poll_{POLL_SECONDS:g}s",
            samples=delays,
            extra={
                "reading_ms_median": round(statistics.median(polls) * 1000, 1),
                "reading_ms_p95": round(percentile(polls, 0.95) * 1000, 1),
                # At the default interval the wait for the next reading dominates.
                "expected_at_60s_median_ms": round(30_000 + statistics.median(delays)),
                "expected_at_60s_p95_ms": round(57_000 + percentile(delays, 0.95)),
            },
        )
    )


if __name__ == "__main__":
    main()
