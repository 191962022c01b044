"""axe-core (the npm package in tests/browser/axe) finds no violation of WCAG 2.2 A and AA.

On the pages of the standard flow, at a laptop's size and on a phone (touch). axe is
injected by Playwright; that context bypasses the Content-Security-Policy for it only
(test_content_security_policy.py checks the pages under the policy).
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import device_page, log_in
from .scenes import scene_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _violations(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.add_script_tag(path=str(AXE))
    return _axe(page, path)


def _axe(page: Page, path: str) -> list[str]:
    found = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then((r) => r.violations)", WCAG_22_AA
    )
    return [
        f"{path} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
    ]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_standard_flow_has_no_wcag_22_aa_violation(browser: Browser, live_server, device):
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/browser/axe (make test does it)"
    scene = scene_build()
    with device_page(browser, live_server, device, bypass_csp=True) as page:
        missing: list[str] = []
        page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
        violations = _violations(page, "/login/")
        log_in(page, "dispatcher")
        for path in scene.pages().values():
            violations += _violations(page, path)
        # The composer's attachment pages, open in their dialog.
        page.goto(scene.pages()["composer"])
        page.add_script_tag(path=str(AXE))
        page.locator("a.pages-open").first.click()
        expect(page.locator("#attachment-pages-dialog button.page").first).to_be_visible()
        violations += _axe(page, "attachment pages")
    assert violations == [], "\n".join(violations)
    assert missing == [], "nothing the pages ask for is missing (the favicon included)"
