"""The email's page follows the sending without a reload, and shows the message as the client sees it."""

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from organisatrice.emails.outbox.tasks import deliver_due

from .conftest import device_page, log_in
from .scenes import scene_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_status_changes_on_the_page_until_it_is_final_and_the_sent_html_keeps_its_styles(
    browser: Browser, live_server, settings, smtp_server
):
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    scene = scene_build()
    with device_page(browser, live_server, "desktop") as page:
        reported: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                reported.append(message.text)

        page.on("console", on_console)
        log_in(page, "dispatcher")
        polls: list[str] = []
        page.on("request", lambda request: polls.append(request.url) if request.headers.get("hx-request") else None)
        page.goto(f"/emails/{scene.email.pk}/")
        expect(page.locator("#email-status")).to_have_text("en file d'envoi")

        deliver_due(worker="browser-test")
        # No reload: the page asks for its changing part until the status is final.
        expect(page.locator("#email-status")).to_have_text("envoyé", timeout=10_000)
        expect(page.locator("#email-live")).to_contain_text("250")
        asked = len(polls)
        page.wait_for_timeout(2_500)
        assert len(polls) == asked, "the page stops asking once the email is sent"

        # The HTML as sent, in its sandboxed frame: the body's own font, not the browser's.
        frame = page.frame_locator("#sent-html")
        expect(frame.locator("p").first).to_be_visible()
        expect(frame.locator("div[style]").first).to_have_css("font-family", "Arial, Helvetica, sans-serif")
        assert page.locator("#sent-html").get_attribute("sandbox") == ""
        response = page.request.get(f"/emails/{scene.email.pk}/html/")
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "sandbox" in policy and "frame-ancestors 'self'" in policy
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert reported == []
