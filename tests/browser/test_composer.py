import re

import pytest
from playwright.sync_api import Page, expect

from organisatrice.emails.models import EmailDraft
from organisatrice.emails.outbox.tasks import deliver_due
from tests.factories import (
    BuildingFactory,
    ContactFactory,
    EmployeeFactory,
    OrderFactory,
    UserFactory,
    WorkReportLineFactory,
)

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order_of_tech1():
    tech1 = EmployeeFactory(user=UserFactory(username="tech1"), first_name="Marie", last_name="Rochat")
    building = BuildingFactory(name="Résidence Les Érables")
    order = OrderFactory(responsible=tech1, client=building.client, buildings=[building], title="Pompe de circulation")
    ContactFactory(client=order.client, last_name="Favre", email="a.favre@gerance.ch")
    ContactFactory(
        client=None,
        building=building,
        salutation="mr",
        first_name="Luc",
        last_name="Concierge",
        email="concierge@erables.ch",
        function="Concierge",
    )
    WorkReportLineFactory(report__order=order, employee=tech1, description="Purge du circuit")
    return order


def test_tech1_composes_a_work_report_email_and_sees_the_preview_follow(page: Page, order_of_tech1):
    order = order_of_tech1
    log_in(page, "tech1")
    page.goto(f"/orders/{order.pk}/")
    page.click("#mail-action")

    page.get_by_label(re.compile("Luc Concierge")).check()
    page.select_option("#id_template", label="Envoyer le rapport de travail — Rapport de travail (français)")
    page.click("text=Préparer l'eMail")

    expect(page.locator("#preview-to")).to_contain_text("concierge@erables.ch")
    expect(page.locator("#preview-subject")).to_contain_text(order.number)
    expect(page.frame_locator("#preview-html").locator("body")).to_contain_text("Bonjour Monsieur Concierge")

    page.fill("#id_subject", "Rapport des travaux de la semaine")
    page.fill("#id_body", "Les travaux sont terminés, la pompe tourne.")
    filename = page.locator("input.filename").first
    filename.fill("Rapport Les Érables.pdf")

    expect(page.locator("#preview-subject")).to_have_text("Rapport des travaux de la semaine")
    expect(page.frame_locator("#preview-html").locator("body")).to_contain_text("la pompe tourne")
    expect(page.locator("#preview-attachments")).to_contain_text("Rapport Les Érables.pdf")

    # The draft lives on the server: leaving and coming back finds it as it was.
    draft = EmailDraft.objects.get(order=order)
    page.goto(f"/orders/{order.pk}/")
    page.goto(f"/emails/drafts/{draft.pk}/")
    expect(page.locator("#id_subject")).to_have_value("Rapport des travaux de la semaine")
    expect(page.locator("input.filename").first).to_have_value("Rapport Les Érables.pdf")


def test_tech2_has_no_mail_action_and_is_refused_on_the_composer(page: Page, order_of_tech1):
    tech2 = EmployeeFactory(user=UserFactory(username="tech2"), mail_permission=False)
    order = OrderFactory(responsible=tech2)
    log_in(page, "tech2")

    page.goto(f"/orders/{order.pk}/")
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.locator("#mail-action")).to_have_count(0)

    response = page.goto(f"/emails/orders/{order.pk}/new/")
    assert response is not None and response.status == 403
    expect(page.locator("body")).to_contain_text("autorisation Mail")


def test_dispatcher_may_compose_on_any_order(page: Page, order_of_tech1):
    EmployeeFactory(user=UserFactory(username="dispatcher"), is_dispatcher=True, is_technician=False)
    log_in(page, "dispatcher")
    page.goto(f"/orders/{order_of_tech1.pk}/")
    page.click("#mail-action")
    page.get_by_label(re.compile("Anne Favre")).check()
    page.click("text=Préparer l'eMail")
    expect(page.locator("#preview-to")).to_contain_text("a.favre@gerance.ch")


def test_tech1_sends_from_the_composer_finds_it_sent_in_the_archive_and_adds_a_note(
    page: Page, order_of_tech1, settings, smtp_server
):
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    order = order_of_tech1
    log_in(page, "tech1")
    page.goto(f"/emails/orders/{order.pk}/new/")
    page.get_by_label(re.compile("Luc Concierge")).check()
    page.select_option("#id_template", label="Envoyer le rapport de travail — Rapport de travail (français)")
    page.click("text=Préparer l'eMail")
    expect(page.locator("#preview-to")).to_contain_text("concierge@erables.ch")

    page.click("#send")
    expect(page.locator("#email-status")).to_have_text("en file d'envoi")
    deliver_due(worker="browser-test")
    page.reload()
    expect(page.locator("#email-status")).to_have_text("envoyé")
    assert smtp_server.received[0].rcpt_tos[0] == "concierge@erables.ch"

    page.fill("textarea[name=text]", "Le concierge a confirmé la réception.")
    page.click("text=Ajouter la note")
    expect(page.locator("#notes")).to_contain_text("Le concierge a confirmé la réception.")

    page.goto(f"/orders/{order.pk}/")
    expect(page.locator("#sent-emails")).to_contain_text("envoyé")
