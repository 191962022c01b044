"""The API's drafts from a document: which document, the main contact, expired offers."""

import datetime

import pytest
from django.utils import timezone

from organisatrice.emails.models import OutgoingEmail
from tests.factories import WorkReportFactory, WorkReportLineFactory, default_template

pytestmark = pytest.mark.django_db


def test_a_draft_from_a_document_takes_its_template_and_the_main_contact(api, order):
    keller = order.buildings.get().contacts.get()
    keller.is_main = True
    keller.save()
    report = order.work_reports.get()

    draft = api.post(f"/orders/{order.pk}/email-drafts", {"documents": [{"kind": "work_report", "id": report.pk}]})

    assert draft.status_code == 201
    body = draft.json()
    # No main contact at the client: the building's, in his language.
    assert body["template_id"] == default_template("work_report", "de").pk
    assert body["to"] == [{"name": "Hans Keller", "email": "h.keller@verwaltung.ch"}]
    assert [a["document_kind"] for a in body["attachments"]] == ["work_report"]
    assert body["problems"] == []
    detail = api.get(f"/orders/{order.pk}").json()
    assert [c["is_main"] for c in detail["recipient_candidates"]["building_contacts"][0]["contacts"]] == [True]


def test_the_document_of_a_draft_is_chosen_and_the_text_written_stays(api, order, employee):
    first = order.work_reports.get()
    later = WorkReportFactory(order=order, date=datetime.date(2026, 11, 25))
    WorkReportLineFactory(report=later, employee=employee)
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "work_report"}).json()
    assert "du 25.11.2026" in draft["motivation"]
    api.patch(f"/email-drafts/{draft['id']}", {"body": "Texte à moi."})

    changed = api.patch(f"/email-drafts/{draft['id']}", {"document": {"kind": "work_report", "id": first.pk}})

    assert changed.status_code == 200
    body = changed.json()
    assert "du 20.11.2026" in body["motivation"] and body["body"] == "Texte à moi."
    report_names = [r["label"] for r in api.get(f"/orders/{order.pk}").json()["documents"]["work_reports"]]
    assert report_names[0].startswith("Rapport n° 2 du 25.11.2026")


def test_an_expired_offer_is_sent_only_when_confirmed(api, order):
    offer = order.offers.get()
    offer.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    offer.save()
    favre = order.client.contacts.get()
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "offer", "contact_id": favre.pk}).json()
    assert any("a expiré le" in w for w in draft["warnings"])

    refused = api.post(f"/email-drafts/{draft['id']}/send")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["expired_offer"]
    assert not OutgoingEmail.objects.exists()

    sent = api.post(f"/email-drafts/{draft['id']}/send?confirm_expired_offer=true")
    assert sent.status_code == 202


def test_a_document_template_is_refused_on_an_order_without_that_document(api, order):
    order.offers.all().delete()
    response = api.post(f"/orders/{order.pk}/email-drafts", {"type": "offer"})
    assert response.status_code in (400, 422)
    assert "la commande n'a pas d'offre" in response.content.decode()
