"""Render time of the generated documents, with WeasyPrint on the same work report as a reference.

Cases: a 40-line work report, a 12-photo documentation and a 30-line offer rendered by
Typst (data gathered from the database, then compiled, the render cache bypassed); the
same work report as HTML through WeasyPrint; a cache hit through `document_render`; the
PNG preview of the work report; preparing one 12-megapixel photo for email.
Target: work report median under 30 ms and at least 10 times faster than WeasyPrint.
"""

import datetime
import html
import io
import json
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from PIL import Image

from bench.common import Result, result_from_samples, timed

DATABASES = ["sqlite"]

BENCH = "documents"
QUICK = os.environ.get("BENCH_QUICK") == "1"
TYPST_REPEAT = 10 if QUICK else 60
WEASYPRINT_REPEAT = 3 if QUICK else 15
PHOTO_REPEAT = 2 if QUICK else 8
# A 12-megapixel camera photo; smaller in a quick run, where making the noise dominates.
PHOTO_SIZE = (2000, 1500) if QUICK else (4000, 3000)
TARGET_MEDIAN_MS = 30.0
TARGET_SPEEDUP = 10.0


def _photo_jpeg(rng: random.Random, width: int, height: int) -> bytes:
    """A camera-sized JPEG with noise, so it compresses like a real photo rather than a flat colour."""
    noise = Image.effect_noise((width, height), 40)
    base = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = Image.blend(base, Image.merge("RGB", (noise, noise, noise)), 0.35)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90)
    return output.getvalue()


def create_data() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from organisatrice.clients.models import Building, Client
    from organisatrice.orders.models import Offer, OfferLine, Order, Photo, WorkReport, WorkReportLine
    from organisatrice.orders.models import WorkReportMaterial as Material
    from organisatrice.people.models import Employee
    from organisatrice.people.selectors import company_settings_get

    rng = random.Random(42)
    tag = f"{datetime.datetime.now():%H%M%S%f}"
    company = company_settings_get()
    company.name, company.street, company.postal_code, company.city = (
        "Dupont Chauffage SA",
        "Rue du Lac 3",
        "1800",
        "Vevey",
    )
    company.phone, company.website, company.vat_number = "021 555 12 34", "dupont-chauffage.ch", "CHE-123.456.789 TVA"
    logo = io.BytesIO()
    Image.new("RGBA", (600, 200), (31, 78, 121, 255)).save(logo, "PNG")
    company.logo.save(f"bench-logo-{tag}.png", ContentFile(logo.getvalue()), save=True)

    client = Client.objects.create(
        name="Gérance Les Tilleuls SA", street="Avenue de la Gare 12", postal_code="1003", city="Lausanne"
    )
    building = Building.objects.create(
        client=client, name="Les Érables", street="Chemin des Érables 4", postal_code="1010", city="Lausanne"
    )
    employees = []
    for index in range(4):
        user = get_user_model().objects.create(username=f"bench-documents-{tag}-{index}")
        employees.append(Employee.objects.create(user=user, first_name=f"Prénom{index}", last_name=f"Nom{index}"))
    order = Order.objects.create(
        number=f"B{tag}"[:20], title="Remplacement de la production de chaleur", client=client, responsible=employees[0]
    )
    order.buildings.set([building])

    report = WorkReport.objects.create(order=order, date=datetime.date(2026, 11, 28), remarks="Installation contrôlée.")
    report.employees.set(employees)
    WorkReportLine.objects.bulk_create(
        WorkReportLine(
            report=report,
            date=datetime.date(2026, 11, 1) + datetime.timedelta(days=index // 2),
            employee=employees[index % len(employees)],
            hours=Decimal("0.25") * rng.randint(2, 32),
            description=f"Intervention {index + 1} : contrôle, démontage et remontage de la vanne de zone n° {index}",
        )
        for index in range(40)
    )
    Material.objects.bulk_create(
        Material(report=report, description=f"Raccord laiton {index}", quantity=Decimal(index + 1), unit="pce")
        for index in range(6)
    )

    offer = Offer.objects.create(
        order=order,
        number=f"OF-{tag}"[:30],
        date=datetime.date(2026, 11, 10),
        valid_until=datetime.date(2026, 12, 10),
        terms="Paiement à 30 jours net. Prix en CHF.",
    )
    OfferLine.objects.bulk_create(
        OfferLine(
            offer=offer,
            position=index + 1,
            description=f"Fourniture et pose, poste {index + 1}",
            quantity=Decimal(rng.randint(1, 20)),
            unit="pce",
            unit_price=Decimal(rng.randint(500, 90000)) / 100,
            vat_rate="2.6" if index % 7 == 0 else "8.1",
        )
        for index in range(30)
    )

    photos = []
    for index in range(12):
        photo = Photo(order=order, caption=f"Chaufferie, vue {index + 1}", taken_by=employees[index % 4])
        photo.taken_at = datetime.datetime(2026, 11, 20, 9, index, tzinfo=datetime.UTC)
        photo.image.save(f"bench-{tag}-{index}.jpg", ContentFile(_photo_jpeg(rng, *PHOTO_SIZE)), save=False)
        photo.save()
        photos.append(photo)
    return {"order": order, "report": report, "offer": offer, "photos": photos}


def weasyprint_html(data: dict[str, Any], workspace: str) -> str:
    """The work report as HTML with the same content and layout ideas as the Typst template."""
    e = html.escape
    labels, company, order, report = data["labels"], data["company"], data["order"], data["report"]
    logo = f'<img class="logo" src="file://{workspace}{e(company["logo"])}">' if company["logo"] else ""
    # Label and value as HTML, each value escaped here.
    facts = [
        (labels["order"], e(f"{order['number']} · {order['title']}")),
        (labels["client"], "<br>".join(e(v) for v in [order["client"]["name"], *order["client"]["address_lines"]])),
        (labels["building"], "<br>".join(e(b) for b in order["buildings"])),
        (labels["report_date"], e(report["date"])),
        (labels["work_period"], e(report["period"])),
        (labels["employees"], e(", ".join(report["employees"]))),
    ]
    fact_rows = "".join(f"<tr><th>{e(label)}</th><td>{value}</td></tr>" for label, value in facts)
    lines = "".join(
        f"<tr><td>{e(x['date'])}</td><td>{e(x['employee'])}</td><td class=r>{e(x['hours'])}</td>"
        f"<td>{e(x['description'])}</td></tr>"
        for x in report["lines"]
    )
    materials = "".join(
        f"<tr><td class=r>{e(m['quantity'])}</td><td>{e(m['unit'])}</td><td>{e(m['description'])}</td></tr>"
        for m in report["materials"]
    )
    signature = "".join(f"<p>{e(label)} <span class=line></span></p>" for label in (labels["name"], labels["date"]))
    return f"""<!doctype html><html lang="{e(data["lang"])}"><head><meta charset="utf-8">
<title>{e(data["meta"]["title"])}</title><meta name="author" content="{e(company["name"])}">
<style>
@page {{ size: A4; margin: 1.8cm 1.8cm 2cm;
  @bottom-right {{ content: "{e(labels["page"])} " counter(page) " / " counter(pages);
  font: 7.5pt "Liberation Sans"; color: #5a5a5a; }} }}
body {{ font: 9.5pt "Liberation Sans", "DejaVu Sans", sans-serif; }}
header {{ display: flex; justify-content: space-between; border-bottom: 0.8pt solid #1f4e79; padding-bottom: 4mm; }}
.logo {{ height: 1.7cm; }} .company {{ text-align: right; font-size: 8pt; color: #5a5a5a; }}
h1 {{ color: #1f4e79; font-size: 16pt; }} h2 {{ color: #1f4e79; font-size: 11pt; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ text-align: left; padding: 4pt; vertical-align: top; }}
.lines td, .lines th {{ border-bottom: 0.5pt solid #c8c8c8; }} .facts th {{ color: #5a5a5a; font-weight: normal; }}
.r {{ text-align: right; }} thead {{ display: table-header-group; }}
.signatures {{ display: flex; gap: 12mm; page-break-inside: avoid; }} .signatures div {{ flex: 1; }}
.line {{ display: inline-block; width: 5cm; border-bottom: 0.5pt solid #5a5a5a; }}
</style></head><body>
<header>{logo}<div class="company"><b>{e(company["name"])}</b><br>
{"<br>".join(e(x) for x in company["address_lines"] + company["contact_lines"])}</div></header>
<h1>{e(labels["work_report"])} <small>{e(order["number"])}</small></h1>
<table class="facts">{fact_rows}</table>
<h2>{e(labels["work_done"])}</h2>
<table class="lines"><thead><tr><th>{e(labels["date"])}</th><th>{e(labels["employee"])}</th>
<th class=r>{e(labels["hours"])}</th><th>{e(labels["description"])}</th></tr></thead><tbody>{lines}</tbody>
<tfoot><tr><th colspan=2>{e(labels["total_hours"])}</th>
<th class=r>{e(report["total_hours"])}</th><th></th></tr></tfoot>
</table>
<h2>{e(labels["materials"])}</h2>
<table class="lines"><thead><tr><th class=r>{e(labels["quantity"])}</th><th>{e(labels["unit"])}</th>
<th>{e(labels["description"])}</th></tr></thead><tbody>{materials}</tbody></table>
<h2>{e(labels["remarks"])}</h2><p>{e(report["remarks"])}</p>
<h2>{e(labels["signatures"])}</h2>
<div class="signatures"><div><b>{e(labels["for_company"])}</b>{signature}</div>
<div><b>{e(labels["for_client"])}</b>{signature}</div></div>
</body></html>"""


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("sqlite:///"):
        # SQLite creates the file, not its folder.
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import weasyprint
    from pypdf import PdfReader

    from organisatrice.documents.kinds import DocumentKind
    from organisatrice.documents.photos import photo_jpeg_quality, photo_long_edge, photo_variant
    from organisatrice.documents.selectors import document_source_get, selected_records
    from organisatrice.documents.services import (
        document_pdf_render,
        document_preview_png,
        document_render,
        photo_prepare_for_email,
    )
    from organisatrice.documents.typst_engine import data_json, template_sources, typst_compile, workspace_dir

    objects = create_data()
    order = objects["order"]
    cases = {
        "work_report_40_lines": (DocumentKind.WORK_REPORT, {"work_report": objects["report"].pk}),
        "photo_documentation_12_photos": (
            DocumentKind.PHOTO_DOCUMENTATION,
            {"photos": [p.pk for p in objects["photos"]]},
        ),
        "offer_30_lines": (DocumentKind.OFFER, {"offer": objects["offer"].pk}),
    }
    results: list[Result] = []
    medians: dict[str, float] = {}
    for case, (kind, selection) in cases.items():

        def render(kind: DocumentKind = kind, selection: dict[str, Any] = selection) -> bytes:
            # Everything but the cache: the queries, the data, the compilation.
            records = selected_records(order=order, kind=kind, selection=selection)
            source = document_source_get(order=order, records=records, language="fr")
            return document_pdf_render(source=source, data=data_json(source.data), sources=template_sources())

        # The first call prepares the photos (kept afterwards), the warm-up calls absorb it.
        pdf = render()
        samples = timed(render, repeat=TYPST_REPEAT)
        result = result_from_samples(
            bench=BENCH,
            case=f"{case} (typst)",
            samples=samples,
            extra={"pages": len(PdfReader(io.BytesIO(pdf)).pages), "kb": round(len(pdf) / 1024)},
        )
        medians[case] = result.median_ms
        results.append(result)

    records = selected_records(order=order, kind=DocumentKind.WORK_REPORT, selection=cases["work_report_40_lines"][1])
    source = document_source_get(order=order, records=records, language="fr")
    page = weasyprint_html(source.data, str(workspace_dir()))

    def weasy() -> bytes:
        return weasyprint.HTML(string=page).write_pdf()

    reference_pdf = weasy()
    weasy_result = result_from_samples(
        bench=BENCH,
        case="work_report_40_lines (weasyprint, reference)",
        samples=timed(weasy, repeat=WEASYPRINT_REPEAT, warmup=1),
        extra={"pages": len(PdfReader(io.BytesIO(reference_pdf)).pages), "kb": round(len(reference_pdf) / 1024)},
    )
    speedup = round(weasy_result.median_ms / medians["work_report_40_lines"], 1)
    weasy_result.extra["typst_speedup"] = speedup
    results.append(weasy_result)

    def cached() -> bytes:
        return document_render(
            order=order, kind=DocumentKind.WORK_REPORT, selection=cases["work_report_40_lines"][1], language="fr"
        ).content

    report_pdf = cached()
    results.append(
        result_from_samples(
            bench=BENCH, case="work_report_40_lines (cache hit)", samples=timed(cached, repeat=TYPST_REPEAT)
        )
    )

    document_preview_png(content=report_pdf, content_type="application/pdf")

    def preview() -> bytes:
        # The preview is kept once made; measured here is the Typst PNG render itself.
        return typst_compile(
            template="work_report", data=data_json(source.data), sources=template_sources(), output="png"
        )

    results.append(
        result_from_samples(
            bench=BENCH, case="work_report_preview_png (typst)", samples=timed(preview, repeat=TYPST_REPEAT)
        )
    )

    photo = objects["photos"][0]

    def prepare_photo() -> bytes:
        # Drop the stored variant so that each call prepares from the original.
        variant = photo_variant(photo=photo, long_edge=photo_long_edge(), quality=photo_jpeg_quality())
        default_storage.delete(variant.storage_name)
        return photo_prepare_for_email(photo=photo)

    results.append(
        result_from_samples(
            bench=BENCH,
            case=f"photo_prepare_for_email ({PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6:g} MP)",
            samples=timed(prepare_photo, repeat=PHOTO_REPEAT, warmup=1),
        )
    )

    target_met = medians["work_report_40_lines"] < TARGET_MEDIAN_MS and speedup >= TARGET_SPEEDUP
    results[0].extra["target"] = (
        f"<{TARGET_MEDIAN_MS:g} ms, >={TARGET_SPEEDUP:g}x weasyprint: {'met' if target_met else 'MISSED'}"
    )
    for result in results:
        print("RESULT " + json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
