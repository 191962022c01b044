"""The composer on a phone and on a desktop: the attachment's pages to read, Envoyer at hand, nothing typed lost."""

import contextlib

import pytest
from django.db import OperationalError
from playwright.sync_api import Browser, Dialog, Page, expect

from organisatrice.emails.models import EmailDraft

from .conftest import device_page, log_in, screen_width
from .scenes import scene_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _on_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return (
        box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_attachments_pages_open_at_a_readable_size_in_one_click(browser: Browser, live_server, device):
    scene = scene_build()
    with device_page(browser, live_server, device) as page:
        log_in(page, "dispatcher")
        page.goto(f"/emails/drafts/{scene.draft.pk}/")
        page.locator("a.pages-open").first.click()
        dialog = page.locator("#attachment-pages-dialog")
        expect(dialog).to_be_visible()
        first = dialog.locator("button.page img").first
        expect(first).to_have_attribute("alt", "Page 1 sur 1")
        first.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
        natural, shown = first.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
        viewport = screen_width(page)
        print(f"{device}: page drawn {natural} px wide, shown {shown:.0f} px on a {viewport} px screen")
        # Drawn at 150 dpi, shown as wide as the dialog: about the screen's width on a phone.
        assert natural >= 1200
        assert shown >= min(viewport - 40, 900)
        # A tap shows it twice as large, inside the dialog: the page itself does not widen.
        first.click()
        expect(dialog.locator("button.page").first).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport
        dialog.get_by_role("button", name="Fermer").click()
        expect(dialog).to_be_hidden()


def test_on_a_phone_envoyer_stays_on_screen_and_the_preview_is_one_tap_away(browser: Browser, live_server):
    scene = scene_build()
    with device_page(browser, live_server, "phone") as page:
        log_in(page, "dispatcher")
        page.goto(f"/emails/drafts/{scene.draft.pk}/")
        assert _on_screen(page, "#send")
        page.locator("#id_body").scroll_into_view_if_needed()
        assert _on_screen(page, "#send")
        page.locator(".preview-jump").tap()
        expect(page.locator("#preview h2")).to_be_in_viewport()
        assert _on_screen(page, "#send")


def test_what_is_typed_just_before_leaving_is_saved_and_a_failed_save_is_shown(browser: Browser, live_server):
    scene = scene_build()
    with device_page(browser, live_server, "desktop") as page:
        log_in(page, "dispatcher")
        draft_url = f"/emails/drafts/{scene.draft.pk}/"
        page.goto(draft_url)
        page.fill("#id_body", "Texte tapé juste avant de partir.")
        # Gone at once, well within the 500 ms the live save waits for.
        page.goto(f"/orders/{scene.order.pk}/")
        draft = EmailDraft.objects.get(pk=scene.draft.pk)
        for _attempt in range(100):
            # The tests' in-memory SQLite (shared cache) refuses to read a table that the
            # server's thread is writing: that read is tried again.
            with contextlib.suppress(OperationalError):
                draft.refresh_from_db()
            if draft.body == "Texte tapé juste avant de partir.":
                break
            page.wait_for_timeout(100)
        assert draft.body == "Texte tapé juste avant de partir."
        # Likewise, the save's request ends (it answers with the preview) before the next one.
        page.wait_for_timeout(1_000)

        page.goto(f"/emails/drafts/{scene.draft.pk}/")
        expect(page.locator("#id_body")).to_have_value("Texte tapé juste avant de partir.")
        page.fill("#id_subject", "Concerne en cours")
        expect(page.locator("#save-state")).to_have_text("Brouillon enregistré")
        # The server unreachable: the state says so, and leaving the page asks first.
        page.route(
            "**/emails/drafts/*/", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
        )
        page.fill("#id_subject", "Concerne perdu ?")
        expect(page.locator("#save-state")).to_have_text("Non enregistré : vérifiez la connexion")
        dialogs: list[str] = []

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(dialog.type)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.evaluate("window.location.href = '/orders/'")
        page.wait_for_timeout(500)
        assert dialogs == ["beforeunload"]
