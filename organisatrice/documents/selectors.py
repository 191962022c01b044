"""Reads: what goes into each document, as plain data, and which file-name pattern applies."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from organisatrice.orders.models import Offer, Order, Photo, WorkReport, WorkReportLine
from organisatrice.orders.selectors import offer_totals
from organisatrice.people.models import CompanySettings
from organisatrice.people.selectors import company_settings_get
from organisatrice.swiss_numbers import amount_format, percent_format, quantity_format

from .exceptions import DocumentError
from .filenames import DEFAULT_FILENAME_PATTERNS
from .kinds import DocumentKind
from .labels import date_format, document_language, labels_for
from .models import FilenamePattern
from .photos import ImageVariant, documentation_long_edge, logo_variant, photo_jpeg_quality, photo_variant
from .typst_engine import image_path

# Beyond this, a photo documentation is better split: it would not fit in an email anyway.
MAX_DOCUMENTATION_PHOTOS = 200


@dataclass(frozen=True)
class DocumentSource:
    """Everything a document is made from: the template, its data and its images."""

    kind: DocumentKind
    template: str
    language: str
    data: dict[str, Any]
    images: list[ImageVariant] = field(default_factory=list)
    # Values for the file-name pattern's placeholders.
    filename_values: dict[str, str] = field(default_factory=dict)


def filename_pattern_get(*, kind: DocumentKind | str) -> str:
    """The backoffice's pattern for a kind; the built-in default if the row is missing."""
    pattern = FilenamePattern.objects.filter(kind=kind).values_list("pattern", flat=True).first()
    return pattern or DEFAULT_FILENAME_PATTERNS[DocumentKind(kind)]


def _id(value: object, *, what: str) -> int:
    # Selections come from forms and JSON: "7" is as good as 7, True is not an id.
    if isinstance(value, bool):
        raise DocumentError(gettext("Identifiant invalide pour %(what)s.") % {"what": what})
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise DocumentError(gettext("Identifiant invalide pour %(what)s.") % {"what": what}) from None


def _selected_id(selection: dict[str, Any], key: str, *, what: str) -> int:
    if not isinstance(selection, dict) or key not in selection:
        raise DocumentError(gettext("Indiquez %(what)s à joindre.") % {"what": what})
    return _id(selection[key], what=what)


def selected_work_report(*, order: Order, selection: dict[str, Any]) -> WorkReport:
    pk = _selected_id(selection, "work_report", what=gettext("le rapport de travail"))
    report = (
        WorkReport.objects.filter(order=order, pk=pk)
        .prefetch_related(
            Prefetch("lines", queryset=WorkReportLine.objects.select_related("employee")), "materials", "employees"
        )
        .first()
    )
    if report is None:
        raise DocumentError(gettext("Ce rapport de travail n'existe pas ou n'appartient pas à cette commande."))
    return report


def selected_offer(*, order: Order, selection: dict[str, Any]) -> Offer:
    pk = _selected_id(selection, "offer", what=gettext("l'offre"))
    offer = Offer.objects.filter(order=order, pk=pk).prefetch_related("lines").first()
    if offer is None:
        raise DocumentError(gettext("Cette offre n'existe pas ou n'appartient pas à cette commande."))
    return offer


def selected_photo(*, order: Order, selection: dict[str, Any]) -> Photo:
    pk = _selected_id(selection, "photo", what=gettext("la photo"))
    photo = Photo.objects.filter(order=order, pk=pk).select_related("taken_by", "building").first()
    if photo is None:
        raise DocumentError(gettext("Cette photo n'existe pas ou n'appartient pas à cette commande."))
    return photo


def selected_photos(*, order: Order, selection: dict[str, Any]) -> list[Photo]:
    """The chosen photos, in the order they were chosen."""
    raw = selection.get("photos") if isinstance(selection, dict) else None
    if not isinstance(raw, list | tuple) or not raw:
        raise DocumentError(gettext("Choisissez au moins une photo pour la documentation photo."))
    ids = list(dict.fromkeys(_id(value, what=gettext("la photo")) for value in raw))
    if len(ids) > MAX_DOCUMENTATION_PHOTOS:
        raise DocumentError(
            gettext("Une documentation photo contient au plus %(max)d photos.") % {"max": MAX_DOCUMENTATION_PHOTOS}
        )
    found = {p.pk: p for p in Photo.objects.filter(order=order, pk__in=ids).select_related("taken_by", "building")}
    if len(found) != len(ids):
        raise DocumentError(gettext("Certaines photos n'existent pas ou n'appartiennent pas à cette commande."))
    return [found[pk] for pk in ids]


@dataclass(frozen=True)
class SelectedRecords:
    """The records a selection names, read once: for the document, and for whoever else speaks
    of them (an email's placeholders name the same report's date and hours)."""

    kind: DocumentKind
    work_report: WorkReport | None = None
    offer: Offer | None = None
    photos: list[Photo] = field(default_factory=list)
    photo: Photo | None = None


def selected_records(*, order: Order, kind: DocumentKind | str, selection: dict[str, Any]) -> SelectedRecords:
    """The records of a document of this kind; raises DocumentError for a bad selection."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise DocumentError(gettext("Type de document inconnu.")) from None
    if kind == DocumentKind.WORK_REPORT:
        return SelectedRecords(kind=kind, work_report=selected_work_report(order=order, selection=selection))
    if kind == DocumentKind.OFFER:
        return SelectedRecords(kind=kind, offer=selected_offer(order=order, selection=selection))
    if kind == DocumentKind.PHOTO_DOCUMENTATION:
        return SelectedRecords(kind=kind, photos=selected_photos(order=order, selection=selection))
    return SelectedRecords(kind=kind, photo=selected_photo(order=order, selection=selection))


def _address_lines(street: str, postal_code: str, city: str) -> list[str]:
    return [line for line in (street, f"{postal_code} {city}".strip()) if line]


def _company_data(company: CompanySettings, labels: dict[str, str], logo: ImageVariant | None) -> dict[str, Any]:
    contact_lines = [
        f"{labels['phone']} {company.phone}" if company.phone else "",
        company.website,
        f"{labels['vat_number']} {company.vat_number}" if company.vat_number else "",
    ]
    return {
        "name": company.name,
        "address_lines": _address_lines(company.street, company.postal_code, company.city),
        "contact_lines": [line for line in contact_lines if line],
        "logo": image_path(logo) if logo else None,
    }


def _building_names(order: Order) -> str:
    # Buildings are ordered by name: .all() keeps the order's prefetched ones.
    return "+".join(b.name for b in order.buildings.all())


def _common(
    *, order: Order, kind: DocumentKind, language: str, title_suffix: str, document_date: datetime.date | None
) -> tuple[dict[str, Any], list[ImageVariant], dict[str, str]]:
    labels = labels_for(language)
    company = company_settings_get()
    logo = logo_variant(company=company)
    client = order.client
    buildings = list(order.buildings.all())  # by name (Building.Meta), prefetched with the order
    title = f"{labels[kind]} {title_suffix}".strip()
    data: dict[str, Any] = {
        "lang": language,
        "labels": labels,
        "meta": {
            "title": title,
            "author": company.name,
            "keywords": [order.number, client.name],
        },
        "company": _company_data(company, labels, logo),
        "footer": " · ".join(part for part in (company.name, f"{labels['order']} {order.number}") if part),
        "order": {
            "number": order.number,
            "title": order.title,
            "client": {
                "name": client.name,
                "address_lines": _address_lines(client.street, client.postal_code, client.city),
            },
            "buildings": [" · ".join(part for part in (b.name, b.address_line) if part) for b in buildings],
        },
    }
    values = {
        "order_number": order.number,
        "title": order.title,
        "client": client.name,
        "building": "+".join(b.name for b in buildings),
        "document_type": labels[kind],
        "date": (document_date or timezone.localdate()).isoformat(),
        "today": timezone.localdate().isoformat(),
        "offer_number": "",
        "caption": "",
    }
    return data, [logo] if logo else [], values


def _period(dates: Iterable[datetime.date]) -> str:
    ordered = sorted(set(dates))
    if not ordered:
        return ""
    if ordered[0] == ordered[-1]:
        return date_format(ordered[0])
    return f"{date_format(ordered[0])} – {date_format(ordered[-1])}"


def _hours(value: Decimal, labels: dict[str, str]) -> str:
    return f"{quantity_format(value)} {labels['hours_unit']}"


def work_report_source(*, order: Order, report: WorkReport, language: str) -> DocumentSource:
    kind = DocumentKind.WORK_REPORT
    data, images, values = _common(
        order=order, kind=kind, language=language, title_suffix=order.number, document_date=report.date
    )
    labels = data["labels"]
    lines = list(report.lines.all())
    total = sum((line.hours for line in lines), Decimal("0"))
    employees = sorted({e.full_name for e in report.employees.all()} | {line.employee.full_name for line in lines})
    data["report"] = {
        "date": date_format(report.date),
        "period": _period(line.date for line in lines),
        "employees": employees,
        "lines": [
            {
                "date": date_format(line.date),
                "employee": line.employee.full_name,
                "hours": quantity_format(line.hours),
                "description": line.description,
            }
            for line in lines
        ],
        "materials": [
            {"quantity": quantity_format(m.quantity), "unit": m.unit, "description": m.description}
            for m in report.materials.all()
        ],
        "total_hours": _hours(total, labels),
        "remarks": report.remarks,
    }
    return DocumentSource(
        kind=kind, template="work_report", language=language, data=data, images=images, filename_values=values
    )


def _photo_taken_on(photo: Photo) -> datetime.date | None:
    return timezone.localtime(photo.taken_at).date() if photo.taken_at else None


def photo_documentation_source(*, order: Order, photos: list[Photo], language: str) -> DocumentSource:
    kind = DocumentKind.PHOTO_DOCUMENTATION
    dates = [d for d in (_photo_taken_on(p) for p in photos) if d]
    data, images, values = _common(
        order=order, kind=kind, language=language, title_suffix=order.number, document_date=max(dates, default=None)
    )
    long_edge, quality = documentation_long_edge(), photo_jpeg_quality()
    entries = []
    for photo in photos:
        variant = photo_variant(photo=photo, long_edge=long_edge, quality=quality)
        images.append(variant)
        entries.append(
            {
                "path": image_path(variant),
                "caption": photo.caption,
                "date": date_format(_photo_taken_on(photo)),
                "author": photo.taken_by.full_name if photo.taken_by else "",
                "building": photo.building.name if photo.building else "",
            }
        )
    data["photos"] = entries
    data["photo_count"] = str(len(entries))
    data["date"] = _period(dates)
    photo_buildings = {p.building.name for p in photos if p.building}
    if len(photo_buildings) == 1:
        values["building"] = photo_buildings.pop()
    return DocumentSource(
        kind=kind, template="photo_documentation", language=language, data=data, images=images, filename_values=values
    )


def offer_source(*, order: Order, offer: Offer, language: str) -> DocumentSource:
    kind = DocumentKind.OFFER
    data, images, values = _common(
        order=order, kind=kind, language=language, title_suffix=offer.number, document_date=offer.date
    )
    labels = data["labels"]
    totals = offer_totals(offer=offer)
    rounding = totals.total - (totals.net + totals.vat_total)
    data["offer"] = {
        "number": offer.number,
        "date": date_format(offer.date),
        "valid_until": date_format(offer.valid_until),
        "terms": offer.terms,
        "lines": [
            {
                "position": str(line.position),
                "description": line.description,
                "quantity": quantity_format(line.quantity),
                "unit": line.unit,
                "unit_price": amount_format(line.unit_price),
                "vat_rate": percent_format(line.vat_rate),
                "amount": amount_format(line.amount),
            }
            for line in offer.lines.all()
        ],
        "net": amount_format(totals.net),
        "vat_lines": [
            {
                "label": labels["vat_on"].format(rate=percent_format(v.rate), base=amount_format(v.base)),
                "vat": amount_format(v.vat),
            }
            for v in totals.vat_lines
        ],
        "vat_total": amount_format(totals.vat_total),
        "rounding": amount_format(rounding) if rounding else None,
        "total": amount_format(totals.total),
    }
    data["meta"]["keywords"].append(offer.number)
    values["offer_number"] = offer.number
    return DocumentSource(
        kind=kind, template="offer", language=language, data=data, images=images, filename_values=values
    )


def document_source_get(*, order: Order, records: SelectedRecords, language: str) -> DocumentSource:
    """What a PDF document of the order is made from."""
    language = document_language(language)
    if records.work_report is not None:
        return work_report_source(order=order, report=records.work_report, language=language)
    if records.photos:
        return photo_documentation_source(order=order, photos=records.photos, language=language)
    if records.offer is not None:
        return offer_source(order=order, offer=records.offer, language=language)
    raise DocumentError(gettext("Ce type de document n'est pas un PDF."))


def photo_filename_values(*, order: Order, photo: Photo, language: str) -> dict[str, str]:
    labels = labels_for(language)
    return {
        "order_number": order.number,
        "title": order.title,
        "client": order.client.name,
        "building": photo.building.name if photo.building else _building_names(order),
        "document_type": labels[DocumentKind.PHOTOS],
        "date": (_photo_taken_on(photo) or timezone.localdate()).isoformat(),
        "today": timezone.localdate().isoformat(),
        "offer_number": "",
        "caption": photo.caption,
    }
