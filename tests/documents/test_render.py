import datetime
import io
import os
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.models import DocumentRender, FilenamePattern
from organisatrice.documents.services import DocumentError, RenderedDocument, document_render
from organisatrice.documents.typst_engine import workspace_dir
from organisatrice.people.selectors import company_settings_get
from tests.factories import (
    BuildingFactory,
    ClientFactory,
    EmployeeFactory,
    OfferFactory,
    OfferLineFactory,
    OrderFactory,
    WorkReportFactory,
    WorkReportLineFactory,
    WorkReportMaterialFactory,
)

from .factories import PhotoFactory
from .pdf_tools import assert_valid_pdf, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    client = ClientFactory.create(name="Gérance Les Tilleuls SA")
    building = BuildingFactory.create(client=client, name="Les Érables")
    return OrderFactory.create(number="2026-00042", client=client, buildings=[building])


@pytest.fixture
def work_report(order):
    report = WorkReportFactory.create(
        order=order, date=datetime.date(2026, 11, 28), remarks="Pression contrôlée : 1.5 bar."
    )
    technician = EmployeeFactory.create(first_name="Luc", last_name="Rochat")
    report.employees.add(technician)
    for day in range(3):
        WorkReportLineFactory.create(
            report=report,
            date=datetime.date(2026, 11, 26 + day),
            employee=technician,
            hours=Decimal("2.25"),
            description=f"Travaux jour {day + 1}",
        )
    WorkReportMaterialFactory.create(
        report=report, description="Pompe Grundfos Alpha2", quantity=Decimal("1"), unit="pce"
    )
    return report


@pytest.fixture
def offer(order):
    offer = OfferFactory.create(
        order=order,
        number="OF-2026-0007",
        date=datetime.date(2026, 11, 10),
        valid_until=datetime.date(2026, 12, 10),
        terms="Paiement à 30 jours net.",
    )
    OfferLineFactory.create(offer=offer, description="Pompe de circulation", quantity=1, unit_price=Decimal("612.35"))
    OfferLineFactory.create(offer=offer, description="Main d'œuvre", quantity=Decimal("3.5"), unit_price=Decimal("98"))
    OfferLineFactory.create(offer=offer, description="Brochure", quantity=2, unit_price=Decimal("4.90"), vat_rate="2.6")
    return offer


def render(order, kind, selection, language="fr", **kwargs) -> RenderedDocument:
    return document_render(order=order, kind=kind, selection=selection, language=language, **kwargs)


def test_work_report_pdf(order, work_report):
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    assert document.content_type == "application/pdf"
    assert document.filename == "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf"
    assert_valid_pdf(document.content)
    text = pdf_text(document.content)
    for expected in [
        "2026-00042",
        "Gérance Les Tilleuls SA",
        "Les Érables",
        "Rapport de travail",
        "28.11.2026",
        "26.11.2026 – 28.11.2026",
        "Luc Rochat",
        "Travaux jour 3",
        "6.75 h",
        "Pompe Grundfos Alpha2",
        "Pression contrôlée : 1.5 bar.",
        "Signature",
    ]:
        assert expected in text, expected


def test_offer_pdf_has_vat_by_rate_and_a_total_rounded_to_5_centimes(order, offer):
    document = render(order, DocumentKind.OFFER, {"offer": offer.pk})

    assert document.filename == "2026-00042_Offre_OF-2026-0007_2026-11-10.pdf"
    assert_valid_pdf(document.content)
    text = pdf_text(document.content)
    # 612.35 + 343.00 = 955.35 at 8.1 % (77.38 VAT), 9.80 at 2.6 % (0.25 VAT): 1042.78 → 1042.80.
    for expected in [
        "2026-00042",
        "Gérance Les Tilleuls SA",
        "OF-2026-0007",
        "612.35",
        "3.5",
        "TVA 8.1 % sur 955.35",
        "77.38",
        "TVA 2.6 % sur 9.80",
        "0.25",
        "965.15",
        "Arrondi",
        "1'042.80",
        "10.12.2026",
        "Paiement à 30 jours net.",
    ]:
        assert expected in text, expected


def test_photo_documentation_pdf_keeps_every_photo_whole_on_one_page(order):
    photos = [
        PhotoFactory.create(order=order, caption=f"Vue {i}", orientation=6 if i % 3 == 0 else 1) for i in range(12)
    ]
    document = render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [p.pk for p in reversed(photos)]})

    assert_valid_pdf(document.content)
    text = pdf_text(document.content)
    assert "2026-00042" in text and "Gérance Les Tilleuls SA" in text
    assert all(f"Vue {i}" in text for i in range(12))
    # The chosen order is kept.
    assert text.index("Vue 11") < text.index("Vue 0")
    reader = PdfReader(io.BytesIO(document.content))
    per_page = [len(page.images) for page in reader.pages]
    # A photo cut by a page break would be drawn on two pages.
    assert sum(per_page) == 12, per_page
    assert len(reader.pages) > 1


def test_pdfs_are_pdf_a_2b_with_metadata_and_embedded_fonts(order, work_report):
    company = company_settings_get()
    company.name = "Dupont Chauffage SA"
    company.save()
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    reader = PdfReader(io.BytesIO(document.content))
    assert reader.metadata.title == "Rapport de travail 2026-00042"
    assert reader.metadata.author == "Dupont Chauffage SA"
    assert reader.metadata.creation_date is not None
    assert reader.xmp_metadata is not None
    assert b"<pdfaid:part>2</pdfaid:part>" in document.content
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in document.content
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_letterhead_shows_the_company_and_its_logo(order, work_report):
    company = company_settings_get()
    company.name = "Dupont Chauffage SA"
    company.street = "Rue du Lac 3"
    company.postal_code = "1800"
    company.city = "Vevey"
    logo = io.BytesIO()
    Image.new("RGBA", (300, 100), (200, 30, 30, 255)).save(logo, "PNG")
    company.logo.save("logo.png", ContentFile(logo.getvalue()), save=True)

    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    assert_valid_pdf(document.content)
    text = pdf_text(document.content)
    assert "Dupont Chauffage SA" in text and "Rue du Lac 3" in text and "1800 Vevey" in text
    assert len(PdfReader(io.BytesIO(document.content)).pages[0].images) == 1


def test_a_40_line_report_runs_over_pages_with_its_total(order):
    report = WorkReportFactory.create(order=order)
    for _ in range(40):
        WorkReportLineFactory.create(report=report, hours=Decimal("1.5"))
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": report.pk})
    assert_valid_pdf(document.content)
    assert len(PdfReader(io.BytesIO(document.content)).pages) >= 2
    text = pdf_text(document.content)
    assert "60 h" in text
    assert "Page 2 / " in text


@pytest.mark.parametrize(
    ("language", "title", "label"),
    [
        ("fr", "Rapport de travail", "Total des heures"),
        ("de", "Arbeitsrapport", "Total Stunden"),
        ("en", "Work report", "Total hours"),
        ("it", "Rapport de travail", "Total des heures"),
        ("", "Rapport de travail", "Total des heures"),
    ],
)
def test_labels_follow_the_document_language(order, work_report, language, title, label):
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}, language=language)
    text = pdf_text(document.content)
    assert title in text and label in text
    assert title.replace(" ", "-") in document.filename


def test_labels_do_not_follow_the_interface_language(order, offer):
    with translation.override("en"):
        document = render(order, DocumentKind.OFFER, {"offer": offer.pk}, language="de")
    assert "Offerte" in pdf_text(document.content)
    assert "_Offerte_" in document.filename


INJECTION = (
    r"""#import "/etc/passwd": * *gras* _italique_ ] [ $x^2$ \ \\ "guillemets" 'apostrophe' #panic("boom") """
    r"""<label> @ref // commentaire /* bloc */ `raw` = Titre + liste #set text(red) {code}"""
)


def test_order_texts_are_printed_literally_never_as_markup():
    client = ClientFactory.create(name="Client " + INJECTION)
    building = BuildingFactory.create(client=client, name="Bâtiment ] #x")
    order = OrderFactory.create(number="2026-#0042", title="Titre " + INJECTION, client=client, buildings=[building])
    report = WorkReportFactory.create(order=order, remarks="Remarque " + INJECTION)
    WorkReportLineFactory.create(report=report, description="Ligne " + INJECTION)
    WorkReportMaterialFactory.create(report=report, description="Matériel #import", unit="$")
    offer = OfferFactory.create(order=order, number="OF-#1", terms="Conditions " + INJECTION)
    OfferLineFactory.create(offer=offer, description="Position " + INJECTION)
    photo = PhotoFactory.create(order=order, caption="Légende " + INJECTION)

    documents = [
        render(order, DocumentKind.WORK_REPORT, {"work_report": report.pk}),
        render(order, DocumentKind.OFFER, {"offer": offer.pk}),
        render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]}),
    ]
    for document in documents:
        assert_valid_pdf(document.content)
        # Line breaks may fall anywhere in long texts: compare without whitespace (and without
        # " - ", which pdftotext would take for a hyphenated word at the end of a line).
        text = "".join(pdf_text(document.content).split())
        assert "2026-#0042" in text
        assert "".join(("Client " + INJECTION).split()) in text
        assert "".join(("Titre " + INJECTION).split()) in text
    work_report_text = "".join(pdf_text(documents[0].content).split())
    for expected in ["Remarque ", "Ligne "]:
        assert "".join((expected + INJECTION).split()) in work_report_text
    assert "Matériel#import" in work_report_text
    offer_text = "".join(pdf_text(documents[1].content).split())
    assert "".join(("Conditions " + INJECTION).split()) in offer_text
    assert "".join(("Position " + INJECTION).split()) in offer_text
    photo_text = "".join(pdf_text(documents[2].content).split())
    assert "".join(("Légende " + INJECTION).split()) in photo_text


def test_the_same_inputs_render_once(order, work_report):
    first = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    second = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    assert second.content == first.content
    assert DocumentRender.objects.count() == 1


def test_a_change_in_the_data_renders_anew(order, work_report):
    first = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    line = work_report.lines.first()
    line.description = "Purge du circuit"
    line.save()

    second = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    assert second.content != first.content
    assert "Purge du circuit" in pdf_text(second.content)
    assert DocumentRender.objects.count() == 2


def test_another_language_or_a_new_photo_renders_anew(order, work_report):
    render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}, language="fr")
    render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}, language="de")
    assert DocumentRender.objects.count() == 2

    photo = PhotoFactory.create(order=order)
    render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]})
    photo.image.save("IMG_0002.jpg", ContentFile(PhotoFactory.build().image.read()), save=True)
    render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]})
    assert DocumentRender.objects.filter(kind=DocumentKind.PHOTO_DOCUMENTATION).count() == 2


def test_a_lost_cache_file_is_rendered_again(order, work_report):

    render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    default_storage.delete(DocumentRender.objects.get().storage_name)
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    assert_valid_pdf(document.content)


def test_the_same_document_stored_meanwhile_by_another_request_is_kept(order, work_report):
    """Two requests render the same new document at once: both miss the cache, the second
    insert meets the first's row. Played here by storing the row twice, as its insert runs."""
    stored: list[object] = []

    def another_request_first(execute, sql, params, many, context):
        if sql.startswith("INSERT") and '"documents_documentrender"' in sql and not stored:
            stored.append(execute(sql, params, many, context))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_request_first):
        document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    assert stored
    assert_valid_pdf(document.content)
    assert DocumentRender.objects.count() == 1
    assert render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}).content == document.content


def test_the_file_name_pattern_comes_from_the_backoffice(order, work_report):
    FilenamePattern.objects.filter(kind=DocumentKind.WORK_REPORT).update(pattern="{client} {document_type} {today}")
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    assert document.filename.startswith("Gérance-Les-Tilleuls-SA Rapport-de-travail 20")
    assert document.filename.endswith(".pdf")


def test_a_given_pattern_wins_over_the_backoffice(order, work_report):
    document = render(
        order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}, filename_pattern="RT_{order_number}"
    )
    assert document.filename == "RT_2026-00042.pdf"


def test_a_missing_pattern_row_falls_back_to_the_default(order, work_report):
    FilenamePattern.objects.all().delete()
    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    assert document.filename == "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf"


def test_an_invalid_pattern_is_an_error(order, work_report):
    with pytest.raises(DocumentError, match="inconnu"):
        render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}, filename_pattern="{nope}")


@pytest.mark.parametrize(
    ("kind", "selection"),
    [
        (DocumentKind.WORK_REPORT, {}),
        (DocumentKind.WORK_REPORT, {"offer": 1}),
        (DocumentKind.WORK_REPORT, {"work_report": "abc"}),
        (DocumentKind.WORK_REPORT, {"work_report": True}),
        (DocumentKind.WORK_REPORT, {"work_report": 999999}),
        (DocumentKind.OFFER, {"offer": None}),
        (DocumentKind.OFFER, {"offer": 999999}),
        (DocumentKind.PHOTO_DOCUMENTATION, {"photos": []}),
        (DocumentKind.PHOTO_DOCUMENTATION, {"photos": "1,2"}),
        (DocumentKind.PHOTO_DOCUMENTATION, {"photos": [999999]}),
        (DocumentKind.PHOTOS, {"photo": 999999}),
        (DocumentKind.PHOTOS, {"photos": [1]}),
        ("invoice", {"work_report": 1}),
    ],
)
def test_bad_selections_are_domain_errors_in_french(order, kind, selection):
    with translation.override("fr"), pytest.raises(DocumentError) as raised:
        render(order, kind, selection)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value)


def test_records_of_another_order_are_refused(order):
    other = OrderFactory.create()
    report = WorkReportFactory.create(order=other)
    offer = OfferFactory.create(order=other)
    mine = PhotoFactory.create(order=order)
    theirs = PhotoFactory.create(order=other)
    with pytest.raises(DocumentError, match="n'appartient pas"):
        render(order, DocumentKind.WORK_REPORT, {"work_report": report.pk})
    with pytest.raises(DocumentError, match="n'appartient pas"):
        render(order, DocumentKind.OFFER, {"offer": offer.pk})
    with pytest.raises(DocumentError, match="n'appartiennent pas"):
        render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [mine.pk, theirs.pk]})
    with pytest.raises(DocumentError, match="n'appartient pas"):
        render(order, DocumentKind.PHOTOS, {"photo": theirs.pk})


def test_a_photo_whose_file_is_gone_is_a_domain_error(order):
    photo = PhotoFactory.create(order=order)
    photo.image.storage.delete(photo.image.name or "")
    with pytest.raises(DocumentError, match="introuvable"):
        render(order, DocumentKind.PHOTOS, {"photo": photo.pk})
    with pytest.raises(DocumentError, match="introuvable"):
        render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]})


def test_sparse_records_still_give_valid_documents():
    client = ClientFactory.create(name="Client minimal", street="", postal_code="", city="")
    order = OrderFactory.create(number="2026-00900", client=client, start_date=None)
    report = WorkReportFactory.create(order=order, remarks="")
    offer = OfferFactory.create(order=order, terms="")
    photo = PhotoFactory.create(order=order, caption="", taken_at=None, taken_by=None)

    for kind, selection in [
        (DocumentKind.WORK_REPORT, {"work_report": report.pk}),
        (DocumentKind.OFFER, {"offer": offer.pk}),
        (DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]}),
    ]:
        document = render(order, kind, selection)
        assert_valid_pdf(document.content)
        text = pdf_text(document.content)
        assert "2026-00900" in text and "Client minimal" in text


def test_documents_not_used_for_a_while_are_pruned_and_rendered_again(order, work_report):
    photo = PhotoFactory.create(order=order)
    render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})
    render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]})
    entry = DocumentRender.objects.filter(kind=DocumentKind.WORK_REPORT).get()
    DocumentRender.objects.update(last_used_at=timezone.now() - datetime.timedelta(days=40))
    images = [workspace_dir() / "img" / name for name in DocumentRender.objects.get(kind="photo_documentation").images]
    long_ago = (timezone.now() - datetime.timedelta(days=40)).timestamp()
    for image in images:
        os.utime(image, (long_ago, long_ago))

    output = io.StringIO()
    call_command("documents_cache_prune", "--days", "30", stdout=output)

    assert "2 document(s)" in output.getvalue()
    assert not DocumentRender.objects.exists()
    assert not default_storage.exists(entry.storage_name)
    assert not any(image.exists() for image in images)
    assert_valid_pdf(render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk}).content)
    assert_valid_pdf(render(order, DocumentKind.PHOTO_DOCUMENTATION, {"photos": [photo.pk]}).content)


def test_an_unreadable_logo_leaves_the_letterhead_without_it(order, work_report):
    company = company_settings_get()
    company.logo.save("logo.png", ContentFile(b"not an image"), save=True)

    document = render(order, DocumentKind.WORK_REPORT, {"work_report": work_report.pk})

    assert_valid_pdf(document.content)
    assert not PdfReader(io.BytesIO(document.content)).pages[0].images
