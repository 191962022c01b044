"""Sending: the outbox workers against a plain smtplib loop, and the delay of a Send.

Two receiving servers, each in its own process, each measured in every round:

- smtp-sink: Postfix's test server (C, Debian package `postfix`), which throws messages
  away. It is not the limit, so the ceiling and the workers are what is measured. It
  prints a running count on each "." received; a thread here timestamps each count.
- aiosmtpd (`python -m bench.bench_sending sink PORT LOG`), which notes the time and
  Message-ID of every message it accepts. It reads line by line and is the bottleneck at
  about 60–80 messages/s: the figures beside smtp-sink's show what a slow relay does.

Each email carries a 200 KB PDF-like attachment (about 270 KB on the wire).

- ceiling: one process sends the same bytes with smtplib over one connection, from memory.
- 1 worker, 4 workers: `manage.py db_worker` processes deliver 1,000 emails queued by one
  committed transaction; throughput runs from that commit to the sink's last acceptance.
  Three rounds of (ceiling, 1 worker, 4 workers) against each server; ratios are
  medians of each round's, taken against the same server's ceiling of that round.
  CPU is the workers' own user+system time over that window (from /proc), so Django's
  start-up is not counted; on PostgreSQL the database server's CPU is not counted either.
- delay: with one idle worker (polling every 0.2 s, as `make run` does), 50 Sends one
  at a time; each is timed from its transaction's commit to the sink's acceptance.

Measured on SQLite and PostgreSQL: SQLite is the embedded default and runs `make run`'s
single worker; several workers are the PostgreSQL set-up, but SQLite shows what they cost
there too. BENCH_QUICK=1 sends 200 emails in one round and times 20 Sends.
"""

import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import django

from bench.common import Result, database_label, percentile

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
EMAILS = 200 if QUICK else 1000
SENDS = 20 if QUICK else 50
ROUNDS = 1 if QUICK else 3
ATTACHMENT_BYTES = 200 * 1024
WORKER_POLL_SECONDS = "0.2"
ROOT = Path(__file__).resolve().parent.parent
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- The sink (its own process) --------------------------------------------------------


def run_sink(port: int, log_path: str) -> None:
    import asyncio

    from aiosmtpd.controller import Controller

    class NotingHandler:
        def __init__(self) -> None:
            self.log = Path(log_path).open("a", buffering=1)  # noqa: SIM115 - open for the process's life

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            content: bytes = envelope.original_content
            head = content[: content.find(b"\r\n\r\n")]
            found = MESSAGE_ID.search(head)
            message_id = found.group(1).decode() if found else "-"
            self.log.write(f"{time.monotonic():.6f} {message_id}\n")
            return "250 2.0.0 Ok"

    controller = Controller(NotingHandler(), hostname="127.0.0.1", port=port, data_size_limit=64 * 1024 * 1024)
    controller.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[Any], *, name: str) -> None:
    import socket

    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                if probe.recv(3) == b"220":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"the SMTP sink {name} did not start")
        time.sleep(0.05)


class AiosmtpdSink:
    """aiosmtpd in its own process, noting each Message-ID it accepts and when."""

    name = "aiosmtpd"

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.log = directory / "sink.log"
        self.log.write_text("")
        self._offset = 0
        self._accepted: dict[str, float] = {}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_sending", "sink", str(self.port), str(self.log)], cwd=ROOT
        )
        wait_listening(self.port, self.process, name=self.name)

    def accepted(self) -> dict[str, float]:
        """Message-ID → time of acceptance (time.monotonic, the machine's clock).

        Reads only what the sink wrote since the last call: the bench polls while the
        workers run, and must not take their CPU.
        """
        with self.log.open("rb") as log:
            log.seek(self._offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode().splitlines():
            moment, message_id = line.split(" ", 1)
            self._accepted.setdefault(message_id, float(moment))
        return self._accepted

    def wait_for(self, message_ids: set[str], *, timeout: float) -> list[float]:
        """The times at which these messages were accepted, once all of them were."""
        deadline = time.monotonic() + timeout
        while True:
            accepted = self.accepted()
            if message_ids <= accepted.keys():
                return sorted(accepted[m] for m in message_ids)
            if time.monotonic() > deadline:
                missing = len(message_ids - accepted.keys())
                raise RuntimeError(f"{missing} of {len(message_ids)} messages not accepted within {timeout} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class PostfixSink:
    """Postfix's smtp-sink: accepts and discards, many connections at once, in C.

    With -c it prints "sess=… quit=… mesg=N" followed by a CR each time a message ends;
    a thread timestamps each count as it arrives. It knows no Message-IDs, so a wait takes
    the next len(message_ids) acceptances: every message the bench sends is waited for
    exactly once, in the order of the runs.
    """

    name = "smtp-sink"
    PROGRAM = "/usr/sbin/smtp-sink"

    def __init__(self, directory: Path) -> None:
        import threading

        self.port = free_port()
        # smtp-sink refuses to run as root without a user to switch to.
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(
            [self.PROGRAM, *user, "-c", f"127.0.0.1:{self.port}", "256"], stdout=subprocess.PIPE
        )
        self._times: list[float] = []
        self._taken = 0
        self._reader = threading.Thread(target=self._read_counts, daemon=True)
        self._reader.start()
        wait_listening(self.port, self.process, name=self.name)

    def _read_counts(self) -> None:
        pending = b""
        counted = 0
        stream = self.process.stdout
        assert isinstance(stream, io.BufferedReader)
        while chunk := stream.read1(4096):
            moment = time.monotonic()
            *lines, pending = (pending + chunk).split(b"\r")
            for line in lines:
                count = int(line.rsplit(b"mesg=", 1)[1])
                # list.append is atomic: the waiting thread reads the list as it grows.
                self._times.extend([moment] * (count - counted))
                counted = count

    def wait_for(self, message_ids: set[str], *, timeout: float) -> list[float]:
        deadline = time.monotonic() + timeout
        wanted = self._taken + len(message_ids)
        while len(self._times) < wanted:
            if time.monotonic() > deadline:
                missing = wanted - len(self._times)
                raise RuntimeError(f"{missing} of {len(message_ids)} messages not accepted within {timeout} s")
            time.sleep(0.02)
        times, self._taken = self._times[self._taken : wanted], wanted
        return times

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


Sink = AiosmtpdSink | PostfixSink
SINKS: list[type[Sink]] = [PostfixSink, AiosmtpdSink]


# --- Workers ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, as the kernel accounts it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Workers:
    def __init__(self, count: int, *, sink: Sink, log_dir: Path) -> None:
        environment = {
            **os.environ,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
        }
        self.logs = [log_dir / f"worker-{count}-{n}.log" for n in range(count)]
        self.processes = []
        for log in self.logs:
            with log.open("wb") as output:
                self.processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "manage.py",
                            "db_worker",
                            "--interval",
                            WORKER_POLL_SECONDS,
                            "--no-startup-delay",
                            "--no-reload",
                        ],
                        cwd=ROOT,
                        env=environment,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 60
        while not all("Starting worker" in log.read_text(errors="replace") for log in self.logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                raise RuntimeError("a worker did not start:\n" + "\n".join(log.read_text() for log in self.logs))
            time.sleep(0.05)

    def cpu(self) -> float:
        return sum(cpu_seconds(process.pid) for process in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- Messages -----------------------------------------------------------------------------


def template_message() -> tuple[bytes, str]:
    """A business email with text, HTML and a 200 KB PDF-like attachment; and its Message-ID."""
    attachment = b"%PDF-1.7\n" + bytes((i * 7919 + (i >> 8) * 31) % 256 for i in range(ATTACHMENT_BYTES)) + b"%%EOF\n"
    message = EmailMessage(policy=SMTP)
    message["From"] = "Jean Muster (Dupont SA) <envoi@dupont-sa.ch>"
    message["Reply-To"] = "Jean Muster <jean.muster@dupont-sa.ch>"
    message["To"] = "Anne Favre <anne.favre@gerance.ch>"
    message["Subject"] = "Rapport de travail 2026-00042 – Résidence Les Érables"
    message["Date"] = "Mon, 30 Nov 2026 09:15:00 +0100"
    message_id = "<template.0000000000@dupont-sa.ch>"
    message["Message-ID"] = message_id
    text = "Bonjour Madame Favre,\n\nVeuillez trouver ci-joint le rapport de travail.\n\nMeilleures salutations\n"
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(f"<p>{text}</p>", subtype="html", charset="utf-8", cte="quoted-printable")
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="Rapport 2026-00042.pdf")
    return message.as_bytes(policy=SMTP), message_id


class Mailbag:
    """Frozen emails in the outbox's tables, as Send leaves them (minus the queueing)."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from organisatrice.clients.models import Client
        from organisatrice.orders.models import Order
        from organisatrice.people.models import Employee

        self.template, self.template_id = template_message()
        client, _ = Client.objects.get_or_create(name="Banc d'essai envoi SA")
        user, _ = get_user_model().objects.get_or_create(username="bench-sending")
        self.sender, _ = Employee.objects.get_or_create(
            user=user, defaults={"first_name": "Jean", "last_name": "Muster", "email": "jean.muster@dupont-sa.ch"}
        )
        self.order, _ = Order.objects.get_or_create(
            number="BENCH-SEND", defaults={"title": "Banc d'essai", "client": client, "responsible": self.sender}
        )
        self.counter = 0
        self.clear()

    def raw(self, message_id: str) -> bytes:
        return self.template.replace(self.template_id.encode(), message_id.encode(), 1)

    def next_id(self) -> str:
        self.counter += 1
        return f"<bench.{os.getpid()}.{self.counter:06d}@dupont-sa.ch>"

    def create(self, count: int) -> list[Any]:
        from organisatrice.content_store import blob_put
        from organisatrice.emails.models import OutgoingEmail

        emails = []
        for _ in range(count):
            message_id = self.next_id()
            raw = self.raw(message_id)
            emails.append(
                OutgoingEmail(
                    order=self.order,
                    sender=self.sender,
                    template_type="work_report",
                    message_id=message_id,
                    from_header="Jean Muster (Dupont SA) <envoi@dupont-sa.ch>",
                    reply_to="Jean Muster <jean.muster@dupont-sa.ch>",
                    to=[{"name": "Anne Favre", "email": "anne.favre@gerance.ch"}],
                    cc=[],
                    bcc=[{"name": "Jean Muster", "email": "jean.muster@dupont-sa.ch"}],
                    subject="Rapport de travail 2026-00042",
                    text_body="Bonjour",
                    html_body="<p>Bonjour</p>",
                    raw_sha256=blob_put(raw),
                    raw_size=len(raw),
                )
            )
        return OutgoingEmail.objects.bulk_create(emails)

    def close(self) -> None:
        """Leaves the shared bench database as it was (other benchmarks count its orders)."""
        self.clear()
        client, user = self.order.client, self.sender.user
        self.order.delete()
        self.sender.delete()
        user.delete()
        client.delete()

    def clear(self) -> None:
        from django.core.files.storage import default_storage
        from django_tasks_db.models import DBTaskResult

        from organisatrice.content_store import blob_name
        from organisatrice.emails.models import DeliveryAttempt, OutgoingEmail
        from organisatrice.orders.models import OrderEvent

        emails = OutgoingEmail.objects.filter(order=self.order)
        hashes = list(emails.values_list("raw_sha256", flat=True))
        OrderEvent.objects.filter(order=self.order).delete()
        DeliveryAttempt.objects.filter(email__order=self.order).delete()
        emails.delete()
        DBTaskResult.objects.filter(task_path="organisatrice.emails.outbox.tasks.deliver_due_emails").delete()
        for sha256 in hashes:
            default_storage.delete(blob_name(sha256))


# --- Cases --------------------------------------------------------------------------------


@dataclass
class Run:
    """One throughput measurement: emails per second and CPU per email, with the sink's gaps."""

    per_second: float
    cpu_ms: float
    gaps_ms: list[float]


def gaps(accepted: list[float], started: float) -> list[float]:
    times = sorted(accepted)
    return [(b - a) * 1000 for a, b in zip([started, *times[:-1]], times, strict=True)]


def plain_loop(mailbag: Mailbag, sink: Sink) -> Run:
    import smtplib

    messages = {message_id: mailbag.raw(message_id) for message_id in (mailbag.next_id() for _ in range(EMAILS))}
    recipients = ["anne.favre@gerance.ch", "jean.muster@dupont-sa.ch"]
    cpu_started, started = time.process_time(), time.monotonic()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as smtp:
        for raw in messages.values():
            smtp.sendmail("envoi@dupont-sa.ch", recipients, raw)
    cpu = time.process_time() - cpu_started
    accepted = sink.wait_for(set(messages), timeout=120)
    return Run(EMAILS / (max(accepted) - started), cpu * 1000 / EMAILS, gaps(accepted, started))


def outbox_throughput(mailbag: Mailbag, sink: Sink, *, workers: int, log_dir: Path) -> Run:
    from django.db import transaction

    from organisatrice.emails.outbox.services import outbox_enqueue

    emails = mailbag.create(EMAILS)
    pool = Workers(workers, sink=sink, log_dir=log_dir)
    try:
        cpu_before = pool.cpu()
        committed: list[float] = []
        with transaction.atomic():
            # First on_commit callback: the moment of the commit, before the enqueueing.
            transaction.on_commit(lambda: committed.append(time.monotonic()))
            for email in emails:
                outbox_enqueue(email=email)
        accepted = sink.wait_for({email.message_id for email in emails}, timeout=600)
        wait_idle()
        cpu = pool.cpu() - cpu_before
    finally:
        pool.stop()
    mailbag.clear()
    started = committed[0]
    return Run(EMAILS / (max(accepted) - started), cpu * 1000 / EMAILS, gaps(accepted, started))


def wait_idle() -> None:
    """Until no delivery task is running or due: the workers have finished their share."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(task_path="organisatrice.emails.outbox.tasks.deliver_due_emails")
    deadline = time.monotonic() + 60
    while tasks.filter(status=TaskResultStatus.RUNNING).exists() or tasks.ready().exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not go idle")
        time.sleep(0.02)


def send_delay(mailbag: Mailbag, sink: Sink, *, log_dir: Path) -> Result:
    import random

    from django.db import transaction

    from organisatrice.emails.outbox.services import outbox_enqueue

    emails = mailbag.create(SENDS)
    pool = Workers(1, sink=sink, log_dir=log_dir)
    delays = []
    # Sends arrive at no particular moment of the worker's polling cycle.
    pace = random.Random(2026)
    try:
        for email in emails:
            time.sleep(pace.uniform(0.05, 0.35))
            committed: list[float] = []

            def note_commit(committed: list[float] = committed) -> None:
                committed.append(time.monotonic())

            with transaction.atomic():
                transaction.on_commit(note_commit)
                outbox_enqueue(email=email)
            accepted = sink.wait_for({email.message_id}, timeout=30)
            delays.append((accepted[0] - committed[0]) * 1000)
    finally:
        pool.stop()
    mailbag.clear()
    return Result(
        bench="sending",
        case=f"delay Send commit → acceptance, idle worker polling every {WORKER_POLL_SECONDS} s ({sink.name})",
        database=database_label(),
        n=len(delays),
        median_ms=round(statistics.median(delays), 1),
        p95_ms=round(percentile(delays, 0.95), 1),
        extra={"max_ms": round(max(delays), 1), "target_p95_ms": 1000},
    )


def throughput_result(case: str, runs: list[Run], extra: dict[str, Any] | None = None) -> Result:
    pooled = [gap for run in runs for gap in run.gaps_ms]
    return Result(
        bench="sending",
        case=case,
        database=database_label(),
        n=len(pooled),
        median_ms=round(statistics.median(pooled), 3),
        p95_ms=round(percentile(pooled, 0.95), 3),
        extra={
            "emails_per_s": round(statistics.median(run.per_second for run in runs), 1),
            "cpu_ms_per_email": round(statistics.median(run.cpu_ms for run in runs), 2),
            "rounds_emails_per_s": [round(run.per_second, 1) for run in runs],
            **(extra or {}),
        },
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    log_dir = Path(settings.VAR_DIR) / "bench" / "sending"
    log_dir.mkdir(parents=True, exist_ok=True)
    sinks: list[Sink] = [kind(log_dir) for kind in SINKS]
    mailbag = Mailbag()
    try:
        # Rounds of ceiling, 1 worker, 4 workers against each server: each ratio is taken
        # against the ceiling of its own round and server, as the machine's speed drifts
        # (other work, a shared host).
        ceiling: dict[str, list[Run]] = {sink.name: [] for sink in sinks}
        outbox: dict[tuple[str, int], list[Run]] = {(sink.name, n): [] for sink in sinks for n in (1, 4)}
        for _round in range(ROUNDS):
            for sink in sinks:
                ceiling[sink.name].append(plain_loop(mailbag, sink))
                for workers in (1, 4):
                    outbox[sink.name, workers].append(
                        outbox_throughput(mailbag, sink, workers=workers, log_dir=log_dir)
                    )
        for sink in sinks:
            plain_runs = ceiling[sink.name]
            emit(throughput_result(f"plain smtplib loop, one connection (ceiling), {sink.name}", plain_runs))
            for workers in (1, 4):
                runs = outbox[sink.name, workers]
                ratios = [run.per_second / plain.per_second for run, plain in zip(runs, plain_runs, strict=True)]
                cpu_ratios = [run.cpu_ms / plain.cpu_ms for run, plain in zip(runs, plain_runs, strict=True)]
                extra: dict[str, Any] = {
                    "ratio_to_ceiling": round(statistics.median(ratios), 3),
                    "cpu_ratio_to_plain": round(statistics.median(cpu_ratios), 2),
                }
                if workers == 4:
                    extra.update(target_ratio=0.9, target_cpu_ratio=2.5)
                name = f"outbox, {workers} db_worker{'s' if workers > 1 else ''}, {sink.name}"
                emit(throughput_result(name, runs, extra))
        # The delay is the outbox's own (polling, claiming): one server is enough.
        emit(send_delay(mailbag, sinks[-1], log_dir=log_dir))
    finally:
        for sink in sinks:
            sink.stop()
        mailbag.close()


def emit(result: Result) -> None:
    print("RESULT " + json.dumps(result.as_dict(), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "sink":
        run_sink(int(sys.argv[2]), sys.argv[3])
    else:
        print(f"bench_sending on {database_label()}", flush=True)
        main()
