"""Playwright driving Debian's Chromium against pytest-django's live server."""

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.smtp_server import SmtpTestServer

CHROMIUM = "/usr/bin/chromium"
# Generous: the machines running the suite are small and shared, and a first draft renders a PDF.
expect.set_options(timeout=20_000)
# The machine has no network: without these, Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls
    # are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="fr-CH", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()


# The sizes the product is tried at: a laptop, and phones held upright (touch, mobile viewport).
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DEVICES = {"desktop": DESKTOP, "phone": PHONE, "small_phone": SMALL_PHONE}


@contextlib.contextmanager
def device_page(browser: Browser, live_server, device: str, **options: Any) -> Iterator[Page]:
    """A page in a fresh context of one of DEVICES (French, like the users)."""
    context = browser.new_context(base_url=live_server.url, locale="fr-CH", **DEVICES[device], **options)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def screen_width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return size["width"]


def log_in(page: Page, username: str, password: str = "demo") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/orders/")


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _default_email_templates(live_server) -> None:
    # Browser tests run in transactions that are flushed, not rolled back, which also
    # wipes what the data migrations created: put the default templates back.
    from django.apps import apps

    from organisatrice.emails.templating.defaults import default_templates_install

    default_templates_install(apps)
