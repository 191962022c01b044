"""Every page on a phone: nothing wider than the screen, targets big enough to tap, Envoyer at hand.

Measured in Chromium at 360 and 390 px wide (touch, mobile viewport): the document's
scroll width against the window's, and the box of every interactive element against
WCAG 2.2's minimum target size (2.5.8, 24 × 24 CSS pixels).
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from .conftest import device_page, log_in, screen_width
from .scenes import scene_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = (Path(__file__).parent / "measure.js").read_text()
MINIMUM_TARGET = 24
BACKOFFICE_PAGES = {
    "backoffice": "/backoffice/",
    "backoffice orders": "/backoffice/orders/order/",
    "backoffice order": "/backoffice/orders/order/{order}/change/",
}


def _measure(page: Page, path: str) -> dict:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    # What folds away (work reports, offers, the email's headers) is measured unfolded.
    page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")
    return page.evaluate(MEASURE, [MINIMUM_TARGET, screen_width(page)])


@pytest.mark.parametrize("device", ["small_phone", "phone"])
def test_no_page_is_wider_than_a_phone_and_every_target_can_be_tapped(browser: Browser, live_server, device):
    scene = scene_build()
    with device_page(browser, live_server, device) as page:
        measured = {"login": _measure(page, "/login/")}
        log_in(page, "dispatcher")
        for name, path in scene.pages().items():
            measured[name] = _measure(page, path)
    with device_page(browser, live_server, device) as page:
        log_in(page, "admin")
        for name, path in BACKOFFICE_PAGES.items():
            measured[name] = _measure(page, path.format(order=scene.order.pk))
    for name, m in measured.items():
        wide = f"{m['scrollWidth']}/{m['screenWidth']} px wide (innerWidth {m['innerWidth']})"
        print(f"{device} {name}: {wide}, smallest of {m['targets']} targets {m['smallest']:.0f} px")
    too_wide = {name: m for name, m in measured.items() if max(m["scrollWidth"], m["innerWidth"]) > m["screenWidth"]}
    assert too_wide == {}
    too_small = {name: m["tooSmall"] for name, m in measured.items() if m["tooSmall"]}
    assert too_small == {}
