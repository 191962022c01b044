"""What an attack costs everyone else: the login page while a staff user saves a hostile template.

GET /login/ is timed alone, then while another client posts, again and again, to the
backoffice's EmailTemplate add form a template that breaks a limit (`{{ (9**(9**7)) > 5 }}`:
a number of 7 million digits if it were computed), which the template limits refuse.
Through two real HTTP servers on a loopback port:

- gunicorn with 4 workers, as README.md deploys it: the target (at most 1.5x);
- Django's threaded server (runserver's) inside this process, clients included: one
  process and one GIL for everything, the worst a refusal can take from other requests.

Also the previews of hostile attachments, first and from the kept result: a 13000 x 13000
PNG of 164 KB and a 2 KB PDF that makes pdftoppm spin (tests/documents/bombs.py).
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
import requests

from bench.common import database_label, emit, result_from_samples, timed

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = 60 if QUICK else 300
CACHED_REPEAT = 10 if QUICK else 50
BENCH = "security"
USERNAME = "bench-security"
PASSWORD = "bench-security"  # noqa: S105 - a throwaway login of the benchmark's own database
HOSTILE = "{{ (9**(9**7)) > 5 }}"
TARGET_RATIO = 1.5
GUNICORN_WORKERS = 4


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    staff = user_model.objects.filter(username=USERNAME).first() or user_model.objects.create_superuser(
        username=USERNAME, email="bench-security@example.invalid", password=PASSWORD
    )
    staff.set_password(PASSWORD)
    staff.save()

    with gunicorn_server() as base:
        login_during_refused_saves(base=base, server=f"gunicorn {GUNICORN_WORKERS} workers", target=True)
    with threaded_server() as base:
        login_during_refused_saves(base=base, server="threaded, one process", target=False)

    if database_label() == "sqlite":
        # Previews touch the database only to look a PDF up among the rendered ones.
        previews_under_attack()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def gunicorn_server() -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(GUNICORN_WORKERS)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/login/", timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def threaded_server() -> Iterator[str]:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Server(ThreadedWSGIServer):
        def get_request(self) -> tuple[socket.socket, Any]:
            connection, address = super().get_request()
            # As gunicorn does: else a kept-alive connection waits 40 ms for delayed ACKs.
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = Server(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def login_during_refused_saves(*, base: str, server: str, target: bool) -> None:
    from django.urls import reverse

    from organisatrice.emails.models import EmailTemplateType

    login_url = base + reverse("login")
    add_url = base + reverse("admin:emails_emailtemplate_add")
    visitor = requests.Session()

    def login_page() -> None:
        response = visitor.get(login_url, timeout=30)
        assert response.status_code == 200, response.status_code

    alone = timed(login_page, repeat=REPEAT, warmup=10)

    refused_save = _refused_save(requests.Session(), login_url=login_url, add_url=add_url)
    template_type = EmailTemplateType.objects.order_by("position").first()
    assert template_type is not None, "the email template types come with the migrations"
    saves: list[float] = []
    refused_save(template_type.pk, saves)
    saves.clear()
    stop = threading.Event()

    def attack() -> None:
        while not stop.is_set():
            refused_save(template_type.pk, saves)

    attacker = threading.Thread(target=attack, daemon=True)
    attacker.start()
    try:
        under_attack = timed(login_page, repeat=REPEAT, warmup=10)
    finally:
        stop.set()
        attacker.join(timeout=120)

    alone_result = result_from_samples(bench=BENCH, case=f"login_page_alone ({server})", samples=alone)
    result = result_from_samples(bench=BENCH, case=f"login_page_during_refused_saves ({server})", samples=under_attack)
    result.extra = {
        "ratio": round(result.median_ms / alone_result.median_ms, 2),
        "p95_ratio": round(result.p95_ms / alone_result.p95_ms, 2),
        **({"target_ratio": TARGET_RATIO} if target else {}),
        "refused_saves": len(saves),
    }
    emit(alone_result)
    emit(result)
    emit(result_from_samples(bench=BENCH, case=f"refused_template_save ({server})", samples=saves))


def _refused_save(attacker: requests.Session, *, login_url: str, add_url: str) -> Callable[[int, list[float]], None]:
    """Logs the staff user in; returns what posts the hostile template once and times it."""
    attacker.get(login_url, timeout=30)
    answer = attacker.post(
        login_url,
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": attacker.cookies["csrftoken"]},
        headers={"Referer": login_url},
        timeout=30,
    )
    assert answer.url.rstrip("/") != login_url.rstrip("/"), "the staff login failed"
    form_page = attacker.get(add_url, timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.text)
    assert csrf is not None, form_page.status_code

    def post(template_type: int, saves: list[float]) -> None:
        form = {
            "csrfmiddlewaretoken": csrf.group(1),
            "type": str(template_type),
            "language": "fr",
            "name": "Hostile",
            "is_active": "on",
            "subject": "Rapport",
            "greeting": "Bonjour",
            "body": HOSTILE,
        }
        start = time.perf_counter()
        response = attacker.post(add_url, form, headers={"Referer": add_url}, timeout=60)
        saves.append((time.perf_counter() - start) * 1000)
        # Refused: the form comes back (200, no redirect) with the limit's message.
        assert response.status_code == 200 and not response.history, response.status_code
        assert 'class="errorlist' in response.text

    return post


def previews_under_attack() -> None:
    from organisatrice.content_store import blob_put, derived_delete, derived_key, derived_name
    from organisatrice.emails.composer import previews
    from organisatrice.emails.models import DraftAttachment
    from tests.documents.bombs import png_bomb, spin_pdf

    for case, content, content_type in [
        ("png_bomb_13000x13000", png_bomb(), "image/png"),
        ("pdf_spinning_pdftoppm", spin_pdf(), "application/pdf"),
    ]:
        # Only what the preview reads of an attachment: no draft is needed around it.
        attachment = DraftAttachment(sha256=blob_put(content), content_type=content_type)
        key = derived_key(previews.PREVIEW_VERSION, attachment.sha256, content_type)
        # An earlier run's kept result would make the first preview a cached one.
        derived_delete(derived_name(area=previews.PREVIEW_AREA, key=key, extension=".png"))

        def preview(attachment: DraftAttachment = attachment) -> None:
            assert previews.attachment_preview_png(attachment=attachment) == previews.preview_unavailable_png()

        first = timed(preview, repeat=1, warmup=0)
        emit(
            result_from_samples(
                bench=BENCH, case=f"{case} preview (first)", samples=first, extra={"kb": len(content) // 1024}
            )
        )
        cached = timed(preview, repeat=CACHED_REPEAT, warmup=0)
        emit(result_from_samples(bench=BENCH, case=f"{case} preview (failure kept)", samples=cached))


if __name__ == "__main__":
    main()
