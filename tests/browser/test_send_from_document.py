"""From the order page to a sent work report in two clicks, on a laptop and on a phone.

Each size opens an order for the first time (its work report PDF not rendered yet, on a
server that has sent another order's report before), taps
the report's "Envoyer au client", then "Envoyer". The clicks are counted, and the test
prints (pytest -s) the time from the first click until the composer is usable (its page
parsed and its scripts run, the report rendered and attached, Envoyer on screen), until the email is queued,
and until the SMTP server has accepted it.
"""

import datetime
import re
import time
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from organisatrice.emails.models import OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due
from tests.factories import (
    BuildingFactory,
    ContactFactory,
    EmployeeFactory,
    OrderFactory,
    UserFactory,
    WorkReportFactory,
    WorkReportLineFactory,
)

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The sizes of the issue: a laptop, and a phone held upright, with touch.
SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
VIEWPORTS = {"desktop": "1366×900", "phone": "390×844 touch"}
# Said by the issue: usable within half a second of the click.
USABLE_WITHIN_S = 0.5


@pytest.fixture
def tech1():
    return EmployeeFactory(user=UserFactory(username="tech1"), first_name="Marie", last_name="Rochat")


def _order_with_two_reports_of_a_day(tech1, number: str):
    """An order as the field has them: two reports the same day, a main contact at the client."""
    building = BuildingFactory(name="Résidence Les Érables")
    order = OrderFactory(
        number=number, responsible=tech1, client=building.client, buildings=[building], title="Pompe de circulation"
    )
    ContactFactory(client=order.client, last_name="Comptable", email="compta@gerance.ch")
    ContactFactory(
        client=order.client,
        salutation="mrs",
        first_name="Anne",
        last_name="Favre",
        email="a.favre@gerance.ch",
        is_main=True,
    )
    ContactFactory(client=None, building=building, last_name="Concierge", email="concierge@erables.ch")
    reports = []
    for hours, description in (("3.00", "Purge du circuit"), ("5.50", "Remplacement de la pompe")):
        report = WorkReportFactory(order=order, date=datetime.date(2026, 11, 27))
        report.employees.add(tech1)
        WorkReportLineFactory(report=report, employee=tech1, date=report.date, hours=hours, description=description)
        reports.append(report)
    return order, reports


@pytest.fixture
def sized_page(browser: Browser, live_server, request) -> Iterator[tuple[str, Page]]:
    size = request.param
    context = browser.new_context(base_url=live_server.url, locale="fr-CH", **SIZES[size])
    context.set_default_timeout(20_000)
    try:
        yield size, context.new_page()
    finally:
        context.close()


class Clicks:
    """Counts what the user does: a click on a laptop, a tap on a phone."""

    def __init__(self, *, touch: bool) -> None:
        self.touch = touch
        self.count = 0

    def on(self, target: Locator) -> None:
        self.count += 1
        target.tap() if self.touch else target.click()


@pytest.mark.parametrize("sized_page", list(SIZES), indirect=True)
def test_a_work_report_is_sent_from_the_order_page_in_two_clicks(sized_page, tech1, settings, smtp_server, live_server):
    size, page = sized_page
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    # A server that has been running: Typst and the templates loaded by another order's
    # email. This order's report is rendered for the first time below.
    warm_order, (warm_report, _) = _order_with_two_reports_of_a_day(tech1, number=f"2026-0{len(size)}998")
    warm_up = Client()
    warm_up.force_login(tech1.user)
    warm_up.post(
        reverse("emails:document_send", args=[warm_order.pk]),
        {"document": f"work_report:{warm_report.pk}"},
        follow=True,
    )
    order, (first, second) = _order_with_two_reports_of_a_day(tech1, number=f"2026-0{len(size)}999")
    log_in(page, "tech1")
    page.goto(f"/orders/{order.pk}/")
    # Both reports of the day, told apart on the order page, neither transmitted yet.
    expect(page.locator(f"#work-report-{first.pk} summary")).to_contain_text("Rapport n° 1 du 27.11.2026")
    expect(page.locator(f"#work-report-{second.pk} summary")).to_contain_text("Rapport n° 2 du 27.11.2026")
    clicks = Clicks(touch=size == "phone")

    started = time.perf_counter()
    clicks.on(page.locator(f'button[data-document="work_report:{first.pk}"]'))
    send = page.locator("#send")
    expect(send).to_be_visible()
    expect(send).to_be_enabled()
    expect(page.locator("#preview-attachments")).to_contain_text(".pdf")
    expect(page.locator("#preview-to")).to_contain_text("a.favre@gerance.ch")
    page.wait_for_load_state("domcontentloaded")
    usable = time.perf_counter() - started
    # Where the time went, as the browser saw it: the POST that makes the draft (PDF
    # rendered), the composer's page, until the page's scripts have run.
    timing: dict[str, float] = page.evaluate(
        """() => { const n = performance.getEntriesByType("navigation")[0];
        return {draft: n.redirectEnd - n.redirectStart, page: n.responseEnd - n.fetchStart,
                scripts: n.domContentLoadedEventEnd - n.responseEnd, usable: n.domContentLoadedEventEnd}; }"""
    )
    # The composer speaks of that report, and nothing stands between it and Send.
    expect(page.frame_locator("#preview-html").locator("body")).to_contain_text("Bonjour Madame Favre")
    expect(page.locator("#preview")).not_to_contain_text("Avant l'envoi")

    clicks.on(send)
    page.wait_for_url("**/emails/*/")
    page.wait_for_load_state("domcontentloaded")
    queued = time.perf_counter() - started
    # The Send click until the email's page is shown, as the browser times it.
    send_page = page.evaluate('() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd')
    delivering = time.perf_counter()
    deliver_due(worker="browser-test")
    delivery = time.perf_counter() - delivering
    email = OutgoingEmail.objects.get(order=order)
    sent = time.perf_counter() - started
    # What a user who clicks at once waits in all: both pages, then the delivery.
    waited = timing["usable"] + send_page + delivery * 1000

    assert clicks.count == 2
    assert email.status == OutgoingEmail.Status.SENT
    assert smtp_server.received[0].rcpt_tos[0] == "a.favre@gerance.ch"
    assert email.attachments.get().work_report_id == first.pk
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reported_email == email and second.reported_at is None
    page.goto(f"/orders/{order.pk}/")
    expect(page.locator("#reports-not-transmitted")).to_contain_text("rapport n° 2 du 27.11.2026")
    print(
        f"\n[send from document, {size} {VIEWPORTS[size]}] "
        f"clicks={clicks.count} composer usable {timing['usable']:.0f} ms after the click as the browser "
        f"times it ({usable * 1000:.0f} ms as this test sees it; first open, PDF rendered), "
        f"email page after Envoyer {send_page:.0f} ms, delivery (SMTP accepted) {delivery * 1000:.0f} ms: "
        f"{waited:.0f} ms waited from the order page to sent (test's clock: queued after {queued * 1000:.0f} ms, "
        f"sent after {sent * 1000:.0f} ms); "
        f"draft made (POST, redirect) {timing['draft']:.0f} ms, composer page {timing['page']:.0f} ms, "
        f"its scripts {timing['scripts']:.0f} ms"
    )
    # Only a gross regression fails here: the machines running the suite are small and shared,
    # and the figure printed above is what is compared with the target.
    assert usable < USABLE_WITHIN_S * 10, f"composer usable after {usable:.2f} s"


def test_a_main_recipient_of_another_language_switches_the_variant_keeping_edits(browser, live_server, tech1):
    order, (first, _second) = _order_with_two_reports_of_a_day(tech1, number="2026-07777")
    hans = ContactFactory(
        client=order.client,
        salutation="mr",
        first_name="Hans",
        last_name="Keller",
        email="h.keller@v.ch",
        language="de",
    )
    context = browser.new_context(base_url=live_server.url, locale="fr-CH", **SIZES["desktop"])
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, "tech1")
        page.goto(f"/orders/{order.pk}/")
        page.click(f'button[data-document="work_report:{first.pk}"]')
        page.fill("#id_body", "Die Pumpe läuft wieder.")
        favre = order.client.contacts.get(last_name="Favre")
        page.select_option(f'select[name="contact-{favre.pk}"]', "")
        page.select_option(f'select[name="contact-{hans.pk}"]', "to")

        switch = page.locator("#language-switch")
        expect(switch).to_contain_text("Hans Keller parle Deutsch")
        # The text's autosave (half a second after typing) and the attachment's thumbnail done
        # first: the test database (SQLite in memory, shared between the server's threads)
        # refuses a write while another request reads the same table.
        page.wait_for_timeout(600)
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request') && [...document.images].every((i) => i.complete)"
        )
        switch.locator("button").click()

        expect(page.locator("#id_subject")).to_have_value(re.compile("^Arbeitsrapport"))
        expect(page.locator("#id_body")).to_have_value("Die Pumpe läuft wieder.")
        expect(page.frame_locator("#preview-html").locator("body")).to_contain_text("Herr Keller")
        expect(page.locator("#language-switch")).to_have_count(0)
        expect(page.locator("#preview-attachments")).to_contain_text("Arbeitsrapport")
    finally:
        context.close()


def test_the_new_email_step_disables_what_the_order_lacks_and_asks_which_report(browser, live_server, tech1):
    order, (first, _second) = _order_with_two_reports_of_a_day(tech1, number="2026-07778")
    context = browser.new_context(base_url=live_server.url, locale="fr-CH", **SIZES["phone"])
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, "tech1")
        page.goto(f"/emails/orders/{order.pk}/new/")
        offer = page.locator("#id_template option[data-kind=offer]").first
        expect(offer).to_be_disabled()
        expect(offer).to_contain_text("la commande n'a pas d'offre")
        menu = page.locator("#id_document_work_report")
        expect(menu).to_be_visible()
        page.select_option("#id_document_work_report", f"work_report:{first.pk}")
        page.locator("button.primary[type=submit]").tap()
        expect(page.locator("#id_template_document")).to_have_value(f"work_report:{first.pk}")
    finally:
        context.close()
