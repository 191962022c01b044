"""The employee's "Copie dans mes envoyés" page in Chromium, against a real Dovecot."""

import pytest
from playwright.sync_api import Browser, expect

from organisatrice.sentcopy.models import SentCopyMailbox
from tests.factories import EmployeeFactory, UserFactory

from .conftest import device_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_from_the_user_menu_test_the_connection_pick_the_folder_and_save(
    browser: Browser, live_server, dovecot_user, device, tmp_path
):
    account = dovecot_user(sent_special_use=False)
    account.server.create_folder(account.address, "Gesendete Objekte")
    account.server.create_folder(account.address, "Copies des commandes")
    user = UserFactory(username="anna")
    user.set_password("demo")
    user.save()
    EmployeeFactory(user=user)
    with device_page(browser, live_server, device) as page:
        log_in(page, "anna")
        page.click("a.who-sent-copy")
        expect(page.locator("h1")).to_have_text("Copie dans mes envoyés")
        page.fill("input[name=host]", account.server.host)
        page.fill("input[name=port]", str(account.server.port))
        page.select_option("select[name=security]", "none")
        page.fill("input[name=username]", account.address)
        page.fill("input[name=password]", account.password)
        page.click("button[value=test]")

        expect(page.locator("#sent-copy-test")).to_have_text(
            "Connexion réussie ; dossier des envoyés : « Gesendete Objekte »."
        )
        # The password is not sent back: it is typed again for the save, the folder is picked.
        assert page.input_value("input[name=password]") == ""
        page.fill("input[name=password]", account.password)
        page.select_option("select[name=folder]", "Copies des commandes")
        page.screenshot(path=str(tmp_path / f"sent-copy-{device}.png"), full_page=True)
        page.click("button[value=save]")

        expect(page.locator("#sent-copy-state")).to_contain_text("Copie activée : dossier « Copies des commandes ».")
        assert SentCopyMailbox.objects.get(employee__user__username="anna").folder == "Copies des commandes"
        assert account.password not in page.content()
