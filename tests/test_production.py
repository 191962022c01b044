"""Production settings: they refuse an empty key, pass `check --deploy`, serve under gunicorn with WhiteNoise."""

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECRETS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "organisatrice.example.ch",
            **overrides,
        }
    )
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", ["", "   "])
def test_an_empty_secret_key_refuses_to_start(key):
    result = manage("check", env=production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_no_secrets_encryption_key_refuses_to_start():
    result = manage("check", env=production_env(SECRETS_ENCRYPTION_KEYS=""))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRETS_ENCRYPTION_KEYS must be set" in result.stderr


def get(port: int, path: str, *, https: bool = True) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # What the TLS-terminating proxy in front of gunicorn adds.
    headers = {"Host": "organisatrice.example.ch", **({"X-Forwarded-Proto": "https"} if https else {})}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response


@pytest.fixture
def gunicorn(tmp_path) -> Iterator[int]:
    """gunicorn running config.wsgi with the production settings, after collectstatic and migrate."""
    env = production_env(STATIC_ROOT=str(tmp_path / "static"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    # Only the files the login page uses: compressing the admin's and the API docs' takes half a minute.
    skipped = ("-i", "admin", "-i", "django_htmx", "-i", "ninja", "-i", "*.map")
    collected = manage("collectstatic", "--noinput", "-v0", *skipped, env=env)
    assert collected.returncode == 0, collected.stderr
    migrated = manage("migrate", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                get(port, "/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read() if server.stderr else "gunicorn did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_gunicorn_serves_the_pages_and_whitenoise_the_hashed_static_files(gunicorn):
    port = gunicorn
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login/", headers={"Host": "organisatrice.example.ch", "X-Forwarded-Proto": "https"})
    page = connection.getresponse()
    html = page.read().decode()
    assert page.status == 200
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in page.getheader("Content-Security-Policy", "")

    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, html
    css = get(port, stylesheet.group(1))
    assert css.status == 200
    assert css.getheader("Content-Type", "").startswith("text/css")
    # WhiteNoise: a hashed name never changes, so browsers keep it for good.
    assert "immutable" in css.getheader("Cache-Control", "")
    assert get(port, "/static/js/app.js").status == 200

    # Plain HTTP is sent to HTTPS.
    redirect = get(port, "/login/", https=False)
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://organisatrice.example.ch/login/"
