"""The order list at 1366 px: each order number on one line, the report and email columns, "my orders"."""

from playwright.sync_api import Browser, expect

from tests.factories import ClientFactory, EmployeeFactory, OrderFactory, WorkReportFactory

from .conftest import device_page, log_in

LONG_TITLE = "Remplacement complet de la production d'eau chaude sanitaire et de la distribution au sous-sol"


def test_order_numbers_never_wrap_and_my_orders_are_one_click_away(browser: Browser, live_server):
    employee = EmployeeFactory(user__username="marie")
    customer = ClientFactory(name="Gérance Immobilière du Léman et de la Riviera vaudoise SA")
    for n in range(190, 201):
        order = OrderFactory(number=f"2026-{n:05d}", title=LONG_TITLE, client=customer, responsible=employee)
        WorkReportFactory(order=order)
    OrderFactory(number="2026-00001", title="Pas à moi")

    with device_page(browser, live_server, "desktop") as page:
        log_in(page, "marie")
        numbers = page.locator("table.list tbody td.nowrap a")
        expect(numbers.first).to_have_text("2026-00200")
        lines = numbers.evaluate_all(
            "links => links.map(a => { const r = document.createRange(); r.selectNodeContents(a);"
            " return r.getClientRects().length; })"
        )
        assert lines and set(lines) == {1}
        expect(page.locator("table.list thead")).to_contain_text("Rapport")
        expect(page.locator("table.list tbody tr").first).to_contain_text("1 non transmis")

        page.get_by_role("link", name="Mes commandes").click()
        expect(page.get_by_role("link", name="Mes commandes")).to_have_attribute("aria-current", "page")
        expect(page.locator("table.list")).not_to_contain_text("Pas à moi")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
