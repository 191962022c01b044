"""Each document of an order is named by what tells it apart, and says whether it reached the client."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from organisatrice.orders.models import OrderEvent
from organisatrice.orders.naming import offers_named, photos_named, work_reports_named
from organisatrice.orders.services import work_reports_mark_reported
from organisatrice.swiss_numbers import quantity_format
from tests.documents.factories import PhotoFactory
from tests.emails.outgoing import outgoing_email_create
from tests.factories import EmployeeFactory, OfferLineFactory, OrderFactory, WorkReportFactory, WorkReportLineFactory

pytestmark = pytest.mark.django_db


def _hours(value: str) -> str:
    # Written the way the product writes numbers everywhere.
    return quantity_format(Decimal(value))


def _report(order, employee, *, hours, day=datetime.date(2026, 11, 27)):
    report = WorkReportFactory(order=order, date=day)
    report.employees.add(employee)
    WorkReportLineFactory(report=report, employee=employee, date=day, hours=hours)
    return report


def test_two_reports_of_a_day_differ_by_number_employees_and_hours():
    order = OrderFactory()
    marie = EmployeeFactory(first_name="Marie", last_name="Rochat")
    luc = EmployeeFactory(first_name="Luc", last_name="Girard")
    earlier = _report(order, marie, hours="7.50", day=datetime.date(2026, 11, 20))
    first = _report(order, marie, hours="2.00")
    second = _report(order, luc, hours="4.25")

    named = {n.report.pk: n for n in work_reports_named(order=order)}

    assert named[earlier.pk].label == f"Rapport n° 1 du 20.11.2026 · Marie Rochat · {_hours('7.5')} h · non transmis"
    assert named[first.pk].label == "Rapport n° 2 du 27.11.2026 · Marie Rochat · 2 h · non transmis"
    assert named[second.pk].label == f"Rapport n° 3 du 27.11.2026 · Luc Girard · {_hours('4.25')} h · non transmis"
    assert len({n.label for n in named.values()}) == 3


def test_only_the_report_an_email_attached_is_transmitted_and_the_order_page_says_which_is_not(client):
    order = OrderFactory()
    marie = EmployeeFactory(first_name="Marie", last_name="Rochat")
    sent, unsent = _report(order, marie, hours="2.00"), _report(order, marie, hours="3.00")
    email = outgoing_email_create(order=order)
    work_reports_mark_reported(report_ids=[sent.pk], email_id=email.pk, sent_at=timezone.now())
    client.force_login(order.responsible.user)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()

    assert {n.report.pk: n.transmitted for n in work_reports_named(order=order)} == {sent.pk: True, unsent.pk: False}
    assert "Rapport transmis au client le" in page
    assert "Pas encore transmis : rapport n° 2 du 27.11.2026" in page.replace("&#x27;", "'")


def test_the_timeline_tells_apart_two_reports_of_a_day_sent_by_two_emails():
    order = OrderFactory()
    marie = EmployeeFactory(first_name="Marie", last_name="Rochat")
    luc = EmployeeFactory(first_name="Luc", last_name="Girard")
    first, second = _report(order, marie, hours="2.00"), _report(order, luc, hours="3.00")
    for report in (first, second):
        email = outgoing_email_create(order=order)
        work_reports_mark_reported(report_ids=[report.pk], email_id=email.pk, sent_at=timezone.now())

    lines = list(order.events.filter(kind=OrderEvent.Kind.REPORTED).order_by("pk").values_list("text", flat=True))

    assert lines == [
        "Rapport n° 1 du 27.11.2026 · Marie Rochat · 2 h",
        "Rapport n° 2 du 27.11.2026 · Luc Girard · 3 h",
    ]


def test_photos_with_the_same_caption_differ_by_number_and_time():
    order = OrderFactory()
    for minute in (5, 40):
        PhotoFactory(
            order=order, caption="Chaufferie", taken_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 9, minute))
        )
    assert [n.label for n in photos_named(order=order)] == [
        "Photo n° 1 · 20.11.2026 09:05 · Chaufferie",
        "Photo n° 2 · 20.11.2026 09:40 · Chaufferie",
    ]


def test_an_expired_offer_is_named_so():
    order = OrderFactory()
    line = OfferLineFactory(
        offer__order=order, offer__number="OF-1", offer__valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    [named] = offers_named(order=order)
    assert named.expired
    assert named.label.startswith("Offre OF-1 du 10.11.2026 · CHF ")
    assert f"expirée le {line.offer.valid_until:%d.%m.%Y}" in named.label
