"""Orders and templates: the list with search and pages, the detail with everything an email needs."""

import pytest

from organisatrice.emails.models import EmailTemplate
from tests.api.conftest import api_for
from tests.factories import EmployeeFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_the_order_list_pages_by_25_with_count_and_links(api, employee):
    OrderFactory.create_batch(30, responsible=employee)

    first = api.get("/orders").json()
    assert first["count"] == 30
    assert len(first["results"]) == 25
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/orders?page=2"
    numbers = [order["number"] for order in first["results"]]
    assert numbers == sorted(numbers, reverse=True)

    second = api.get("/orders", {"page": 2}).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/orders?page=1"
    assert not {o["id"] for o in first["results"]} & {o["id"] for o in second["results"]}


def test_a_page_past_the_end_is_404_and_page_zero_is_invalid(api, order):
    assert api.get("/orders", {"page": 2}).status_code == 404
    invalid = api.get("/orders", {"page": 0})
    assert invalid.status_code == 422
    assert invalid.json()["errors"] == [{"field": "page", "message": "La valeur doit être supérieure ou égale à 1."}]


def test_the_last_possible_page_is_404_even_with_a_search(api, order):
    for params in ({"page": 10**9}, {"page": 10**9, "search": "pompe"}):
        assert api.get("/orders", params).status_code == 404
    assert api.get("/orders", {"page": 10**9 + 1, "search": "pompe"}).status_code == 422


def test_search_narrows_by_each_word_and_keeps_it_in_the_links(api, employee, order):
    for n in range(26):
        OrderFactory(number=f"2025-{n + 1:05d}", responsible=employee, title="Détartrage chaudière")

    found = api.get("/orders", {"search": "Érables 2026-00042"}).json()
    assert [o["number"] for o in found["results"]] == ["2026-00042"]
    assert api.get("/orders", {"search": "Érables Détartrage"}).json()["count"] == 0

    many = api.get("/orders", {"search": "chaudière"}).json()
    assert many["count"] == 26
    assert many["next"] == "http://testserver/api/v1/orders?search=chaudi%C3%A8re&page=2"


def test_a_summary_names_client_and_responsible(api, order, employee):
    [summary] = api.get("/orders").json()["results"]
    assert summary == {
        "id": order.pk,
        "number": "2026-00042",
        "title": order.title,
        "status": "new",
        "client": {"id": order.client_id, "name": order.client.name},
        "responsible": {"id": employee.pk, "name": employee.full_name, "email": employee.email},
        "start_date": "2026-11-02",
        "end_date": None,
        "reported_at": None,
    }


def test_the_detail_gives_documents_and_contacts_in_two_groups(api, order):
    detail = api.get(f"/orders/{order.pk}").json()

    assert detail["number"] == "2026-00042"
    assert [b["name"] for b in detail["buildings"]] == ["Les Érables"]
    report = order.work_reports.get()
    assert detail["documents"]["work_reports"] == [
        {
            "id": report.pk,
            "number": 1,
            "label": "Rapport n° 1 du 20.11.2026 · 2.5 h · non transmis",
            "date": "2026-11-20",
            "remarks": report.remarks,
            "total_hours": "2.50",
            "reported_at": None,
        }
    ]
    [offer] = detail["documents"]["offers"]
    # 3 h at 98.00 plus 8.1 % VAT, rounded to 5 centimes.
    assert (offer["net"], offer["vat_total"], offer["total"]) == ("294.00", "23.81", "317.80")
    assert detail["documents"]["photos"] == []
    candidates = detail["recipient_candidates"]
    assert [c["email"] for c in candidates["client_contacts"]] == ["a.favre@gerance.ch"]
    [group] = candidates["building_contacts"]
    assert group["building"]["name"] == "Les Érables"
    assert [(c["name"], c["language"]) for c in group["contacts"]] == [("Hans Keller", "de")]
    assert detail["can_send_email"] is True and detail["send_refusal"] is None


def test_the_detail_says_why_the_caller_may_not_email(order):
    other = api_for(EmployeeFactory())
    detail = other.get(f"/orders/{order.pk}").json()
    assert detail["can_send_email"] is False
    assert "ni responsable" in detail["send_refusal"] and order.number in detail["send_refusal"]


def test_an_unknown_order_is_404(api, order):
    response = api.get(f"/orders/{order.pk + 1000}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable, ou vous n'y avez pas accès."}


def test_templates_are_listed_and_filtered_by_type_and_language(api):
    everything = api.get("/email-templates").json()
    assert len(everything) == EmailTemplate.objects.filter(is_active=True).count() > 4

    [german] = api.get("/email-templates", {"type": "work_report", "language": "de"}).json()
    assert german["type"]["code"] == "work_report" and german["language"] == "de"
    assert german["is_default"] is True and german["attachment_kind"] == "work_report"
    assert "{{ order_number }}" in german["subject"]

    assert api.get("/email-templates", {"type": "nonexistent"}).json() == []
    invalid = api.get("/email-templates", {"language": "xx"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "language"


def test_an_inactive_template_is_not_listed(api):
    template = EmailTemplate.objects.get(type__code="offer", language="fr", is_default=True)
    template.is_active = False
    template.save()
    assert template.pk not in {t["id"] for t in api.get("/email-templates", {"type": "offer"}).json()}


def test_mine_lists_only_the_callers_orders_and_search_ignores_accents(api, employee, order):
    OrderFactory.create_batch(2, title="Détartrage")

    mine = api.get("/orders", {"mine": "true"}).json()
    assert [o["number"] for o in mine["results"]] == ["2026-00042"]
    assert api.get("/orders").json()["count"] == 3
    # "Erables" without its accent finds the order's building, "Favre" its client's contact.
    assert [o["number"] for o in api.get("/orders", {"search": "erables favre"}).json()["results"]] == ["2026-00042"]
