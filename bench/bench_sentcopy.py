"""The copy in the employee's Sent folder, against a real Dovecot started here (tests/servers).

Each email carries a 200 KB PDF-like attachment (about 270 KB on the wire, as bench_sending's).

- append_270KB: one attempt of the copy task as a worker runs it (its record read and leased,
  the archived bytes read and checked, connect and login, APPEND flagged \\Seen with the
  send's date, the result recorded).
- append_only_270KB: the APPEND alone on an open connection, the server's and the wire's share.
- connect_login_logout: what each attempt adds to it (a connection per attempt: copies are
  rare, a few a minute per employee, and a kept connection would hold a password-bearing
  session per employee open in every worker).
- delay_acceptance_to_copy: one idle `manage.py db_worker` (polling every 0.2 s, as `make run`
  does) delivers an email to an SMTP server and, on the acceptance's signal, makes its copy;
  timed from the acceptance stored (sent_at) to the message file in the Sent Maildir.
  Included: the commit, the copy task's enqueue and the worker's next poll.

BENCH_QUICK=1 appends 8 and times 5 emails.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

from bench.common import emit, result_from_samples

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
APPENDS = 8 if QUICK else 40
DELAYS = 5 if QUICK else 20
ATTACHMENT_BYTES = 200 * 1024
ROOT = Path(__file__).resolve().parent.parent
SEED = 2026


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from organisatrice.devtools.demo import demo_seed
    from organisatrice.emails.models import OutgoingEmail
    from organisatrice.orders.models import Order
    from organisatrice.people.models import Employee
    from organisatrice.sentcopy import imap
    from organisatrice.sentcopy.models import SentCopy, SentCopyMailbox
    from organisatrice.sentcopy.tasks import sent_copy_attempt
    from organisatrice.vault import secret_encrypt
    from tests.emails.outgoing import Attachment, outgoing_email_create, pdf_like
    from tests.servers.dovecot import DovecotServer
    from tests.smtp_server import SmtpTestServer

    call_command("migrate", verbosity=0)
    if not Order.objects.exists():
        demo_seed(orders=5, seed=SEED)
    order = Order.objects.order_by("number").first()
    sender = Employee.objects.get(user__username="dispatcher")
    assert order is not None

    root = Path(tempfile.mkdtemp(prefix="bench-dovecot-"))
    root.chmod(0o755)
    dovecot = DovecotServer(root)
    address, password = "dispatcher@dupont-sa.ch", "bench-secret"
    dovecot.add_user(address, password)
    dovecot.start()
    SentCopyMailbox.objects.filter(employee=sender).delete()
    SentCopyMailbox.objects.create(
        employee=sender,
        host=dovecot.host,
        port=dovecot.port,
        security="none",
        username=address,
        password_encrypted=secret_encrypt(password),
        folder="Sent",
    )
    account = imap.Account(host=dovecot.host, port=dovecot.port, security="none", username=address, password=password)
    smtp = SmtpTestServer()
    smtp.start()
    try:
        # --- append_270KB ----------------------------------------------------------------------
        def accepted_email(seed: int) -> OutgoingEmail:
            email = outgoing_email_create(
                order=order,
                sender=sender,
                attachments=[Attachment("Rapport.pdf", pdf_like(ATTACHMENT_BYTES, seed=seed))],
            )
            OutgoingEmail.objects.filter(pk=email.pk).update(status="sent", sent_at=timezone.now())
            SentCopy.objects.create(email=email, next_attempt_at=timezone.now())
            return email

        emails = [accepted_email(seed) for seed in range(APPENDS + 2)]
        samples = []
        for position, email in enumerate(emails):
            start = time.perf_counter()
            assert sent_copy_attempt(email_id=email.pk) == SentCopy.Status.APPENDED
            if position >= 2:  # the first two warm up
                samples.append((time.perf_counter() - start) * 1000)
        raw = (dovecot.maildir(address) / ".Sent" / "cur").iterdir().__next__().read_bytes()
        client = imap.connect(account)
        append_only = []
        for _ in range(APPENDS):
            start = time.perf_counter()
            imap.copy_append(client, folder="Sent", raw=raw, sent_at=timezone.now())
            append_only.append((time.perf_counter() - start) * 1000)
        imap.disconnect(client)
        logins = []
        for _ in range(APPENDS):
            start = time.perf_counter()
            imap.disconnect(imap.connect(account))
            logins.append((time.perf_counter() - start) * 1000)
        size = {"message_bytes": emails[0].raw_size}
        emit(result_from_samples(bench="sentcopy", case="connect_login_logout", samples=logins))
        emit(result_from_samples(bench="sentcopy", case="append_270KB", samples=samples, extra=size))
        emit(result_from_samples(bench="sentcopy", case="append_only_270KB", samples=append_only, extra=size))

        # --- delay_acceptance_to_copy ------------------------------------------------------------
        sent_folder = dovecot.maildir(address) / ".Sent"
        log = root / "worker.log"
        environment = {**os.environ, "EMAIL_HOST": smtp.host, "EMAIL_PORT": str(smtp.port)}
        with log.open("ab") as output:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while b"Starting worker" not in log.read_bytes():
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise RuntimeError(f"db_worker did not start: {log.read_text()[-2000:]}")
                time.sleep(0.05)
            delays = []
            for seed in range(DELAYS):
                before = {path.name for path in (sent_folder / "cur").iterdir()}
                with transaction.atomic():
                    email = outgoing_email_create(
                        order=order,
                        sender=sender,
                        attachments=[Attachment("Rapport.pdf", pdf_like(ATTACHMENT_BYTES, seed=1000 + seed))],
                    )
                deadline = time.monotonic() + 30
                while not {path.name for path in (sent_folder / "cur").iterdir()} - before:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no copy within 30 s: {log.read_text()[-3000:]}")
                    time.sleep(0.002)
                arrived = time.time()
                email.refresh_from_db()
                assert email.sent_at is not None
                delays.append((arrived - email.sent_at.timestamp()) * 1000)
            emit(result_from_samples(bench="sentcopy", case="delay_acceptance_to_copy", samples=delays))
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    finally:
        smtp.stop()
        dovecot.stop()
        SentCopyMailbox.objects.filter(employee=sender).delete()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
