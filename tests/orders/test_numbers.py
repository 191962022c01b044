"""One way of writing numbers, whatever the language: the pages, the email placeholders, the PDFs.

CHF 4'738.85, 7.5 h, 8.1 %: Swiss practice in every language region (organisatrice/swiss_numbers.py).
"""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import document_render
from organisatrice.emails.templating.placeholders import placeholder_values
from organisatrice.people.selectors import company_settings_get
from organisatrice.swiss_numbers import amount_format, chf_format, filesize_format, percent_format, quantity_format
from tests.documents.pdf_tools import pdf_text
from tests.factories import OfferFactory, OfferLineFactory, OrderFactory, WorkReportLineFactory

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4738.85"), "4'738.85"),
        (Decimal("1234567.5"), "1'234'567.50"),
        (Decimal("-1234.5"), "-1'234.50"),
        (Decimal("0.005"), "0.01"),  # half up, as commercial documents round
        (Decimal("2.675"), "2.68"),
        (0, "0.00"),
        (8.1, "8.10"),
        ("98", "98.00"),
    ],
)
def test_amounts(value, expected):
    assert amount_format(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("7.50"), "7.5"), (Decimal("1200"), "1'200"), (Decimal("0.25"), "0.25"), (Decimal("3.00"), "3")],
)
def test_quantities_have_the_decimals_they_need(value, expected):
    assert quantity_format(value) == expected


def test_francs_and_rates():
    assert chf_format(Decimal("1763.95")) == f"CHF{NBSP}1'763.95"
    assert percent_format("8.1") == percent_format(Decimal("8.10")) == f"8.1{NBSP}%"


@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_the_page_filters_write_the_same_in_every_language(language):
    template = Template(
        "{% load swiss_numbers %}{{ total|chf }} {{ hours|quantity }} {{ rate|percent }} {{ none|amount }}"
    )
    with translation.override(language):
        text = template.render(Context({"total": Decimal("4738.85"), "hours": Decimal("7.50"), "rate": "8.1"}))
    assert text == f"CHF{NBSP}4'738.85 7.5 8.1{NBSP}% "


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["980 octets", "264.2 Ko", "15 Mo", "1.5 Mo", "2 Go", "1.2 Ko"]),
        ("de", ["980 Bytes", "264.2 KB", "15 MB", "1.5 MB", "2 GB", "1.2 KB"]),
        ("en", ["980 bytes", "264.2 KB", "15 MB", "1.5 MB", "2 GB", "1.2 KB"]),
    ],
)
def test_file_sizes_have_a_point_and_the_units_of_the_attachment_limit(language, expected):
    sizes = [980, 270_540, 15 * 1024 * 1024, 1536 * 1024, 2 * 1024**3, 1229]
    template = Template("{% load swiss_numbers %}{{ size|filesize }}")
    with translation.override(language):
        assert [filesize_format(size) for size in sizes] == expected
        assert template.render(Context({"size": 15 * 1024 * 1024})) == expected[2]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_the_order_page_the_placeholders_and_the_pdf_agree(client, employee, language):
    order = OrderFactory()
    offer = OfferFactory(order=order)
    # 4'383.00 + 8.1 % (355.02) = 4'738.02 → 4'738.00 at 5 centimes.
    OfferLineFactory(offer=offer, quantity=3, unit_price=Decimal("1461.00"), vat_rate="8.1")
    report = WorkReportLineFactory(report__order=order, hours=Decimal("7.50")).report
    employee.language = language
    employee.save()
    client.force_login(employee.user)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    values = placeholder_values(
        order=order,
        employee=employee,
        company=company_settings_get(),
        language=language,
        work_report=report,
        offer=offer,
    )
    pdf = pdf_text(
        document_render(order=order, kind=DocumentKind.OFFER, selection={"offer": offer.pk}, language=language).content
    )

    assert f"CHF{NBSP}4'738.00" in page
    assert f"8.1{NBSP}%" in page and "8,1" not in page
    assert "4738,00" not in page and "4738.00" not in page
    assert values["offer_total"] == "4'738.00"
    assert values["work_report_hours"] == "7.5"
    assert "4'738.00" in pdf
    assert re.search(r"8\.1\s%", pdf)
