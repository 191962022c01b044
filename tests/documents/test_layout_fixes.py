"""What the reader of a PDF sees once: the offer's address and validity; level signature lines."""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import document_render
from organisatrice.people.selectors import company_settings_get
from tests.factories import (
    BuildingFactory,
    ClientFactory,
    OfferFactory,
    OfferLineFactory,
    OrderFactory,
    WorkReportFactory,
    WorkReportLineFactory,
)

from .pdf_tools import assert_valid_pdf, pdf_text

pytestmark = pytest.mark.django_db


def _words(content: bytes) -> list[tuple[str, float, float]]:
    """(word, x, y) of every word pdftotext finds, y from the top of its page."""
    html = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True).stdout
    return [
        (word, float(x), float(y))
        for x, y, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', html.decode()
        )
    ]


def test_the_offer_prints_the_clients_address_and_its_validity_once():
    client = ClientFactory(name="Gérance Tissot SA", street="Rue du Marché 7", postal_code="1204", city="Genève")
    order = OrderFactory(client=client, buildings=[BuildingFactory(client=client, name="Les Érables")])
    offer = OfferFactory(order=order, date=datetime.date(2026, 11, 10), valid_until=datetime.date(2026, 12, 10))
    OfferLineFactory(offer=offer, quantity=1, unit_price=Decimal("1763.95"))

    document = document_render(order=order, kind=DocumentKind.OFFER, selection={"offer": offer.pk}, language="fr")

    assert_valid_pdf(document.content)
    text = pdf_text(document.content)
    assert text.count("Rue du Marché 7") == 1
    assert text.count("1204 Genève") == 1
    assert text.count("10.12.2026") == 1
    assert "Valable jusqu'au" in text
    assert "1'763.95" in text


@pytest.mark.parametrize("company_name", ["Dupont", "Dupont Technique Sanitaire Chauffage Ventilation et Fils SA"])
def test_the_signature_lines_stay_level_when_the_company_name_wraps(company_name):
    company = company_settings_get()
    company.name = company_name
    company.save()
    order = OrderFactory(client=ClientFactory(name="Régie Morand SA"))
    report = WorkReportFactory(order=order)
    WorkReportLineFactory(report=report, hours=Decimal("2.5"))

    document = document_render(
        order=order, kind=DocumentKind.WORK_REPORT, selection={"work_report": report.pk}, language="fr"
    )

    words = _words(document.content)
    for label in ("Nom", "Date", "Signature"):
        # The last two of each: the signature block's, left and right.
        left, right = [(x, y) for word, x, y in words if word == label][-2:]
        assert left[0] < right[0]
        assert abs(left[1] - right[1]) < 0.5, (label, left, right)
    if len(company_name) > 40:
        tops = {round(y) for word, _x, y in words if word in company_name.split()}
        assert len(tops) > 1  # the name did wrap
