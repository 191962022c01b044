"""Under the Content-Security-Policy the pages still do everything, and the browser reports no violation."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from organisatrice.emails.models import EmailDraft
from tests.factories import ContactFactory, EmployeeFactory, OrderFactory, UserFactory, WorkReportLineFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page: Page) -> list[str]:
    reported: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            reported.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: reported.append(str(error)))
    return reported


@pytest.fixture
def order():
    tech1 = EmployeeFactory(user=UserFactory(username="tech1", is_staff=True), first_name="Marie", last_name="Rochat")
    order = OrderFactory(responsible=tech1, title="Pompe de circulation")
    ContactFactory(client=order.client, last_name="Favre", email="a.favre@gerance.ch", language="de")
    WorkReportLineFactory(report__order=order, employee=tech1, description="Purge du circuit")
    return order


def test_the_composer_works_and_its_preview_keeps_the_emails_styles(page: Page, violations, order):
    log_in(page, "tech1")
    response = page.goto(f"/emails/orders/{order.pk}/new/")
    assert response and "script-src 'self'" in response.headers["content-security-policy"]
    # The page's script (a static file now) picks the contact's language's default template.
    page.select_option("#id_template", label="Envoyer le rapport de travail — Rapport de travail (français)")
    # Favre, the only contact with an address, is preselected as the main contact: chosen again.
    page.get_by_label("Aucun pour l'instant").check()
    page.get_by_label(re.compile("Favre")).check()
    expect(page.locator("#id_template option:checked")).to_contain_text("(allemand)")
    page.click("text=Préparer l'eMail")

    preview = page.frame_locator("#preview-html").locator("body")
    expect(preview).to_contain_text("Favre")
    # The email's own style attributes apply inside the sandboxed frame.
    expect(preview).to_have_css("font-family", "Arial, Helvetica, sans-serif")
    bar = page.locator(".size .bar span")
    assert bar.evaluate("span => span.style.width").endswith("%")
    page.fill("#id_subject", "Rapport der Woche")
    expect(page.locator("#preview-subject")).to_have_text("Rapport der Woche")
    assert bar.evaluate("span => span.style.width").endswith("%")

    # Discarding asks first: dismissed, the draft stays; accepted, it goes. One listener
    # answers both questions in turn, and counts them.
    answers = ["dismiss", "accept"]
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        getattr(dialog, answers.pop(0))()

    page.on("dialog", answer)
    # Leaving the subject field saves the draft first (change): that save done, the click.
    page.locator("#id_subject").blur()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.click("text=Supprimer le brouillon")
    expect(page.locator("#id_subject")).to_be_visible()
    page.wait_for_function("() => true")
    assert len(asked) == 1
    expect(page.locator("#id_subject")).to_have_value("Rapport der Woche")
    # The autosave that leaving the subject field fires, done before the test reads the
    # database (SQLite in memory refuses a read while the server writes the same table).
    page.wait_for_timeout(600)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert EmailDraft.objects.filter(order=order).exists()
    page.click("text=Supprimer le brouillon")
    page.wait_for_url(f"**/orders/{order.pk}/")
    assert not EmailDraft.objects.filter(order=order).exists()
    assert asked == ["Supprimer ce brouillon ?"] * 2

    # The language picker submits on change.
    page.select_option("select[name=language]", "de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert violations == []


def test_the_backoffice_and_the_api_docs_run_under_the_policy(page: Page, violations):
    EmployeeFactory(user=UserFactory(username="admin", is_staff=True, is_superuser=True))
    log_in(page, "admin")
    page.goto("/backoffice/orders/order/add/")
    expect(page.locator("#order_form")).to_be_visible()
    page.goto("/backoffice/people/employee/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Organisatrice eMail")
    assert violations == []
