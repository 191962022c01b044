"""The words printed on documents, in the recipient's language, and how values are written.

A document speaks the language of its recipient, not of the employee who makes it, so
these labels are a table per language rather than gettext strings (which follow the
interface language). Italian and unknown languages fall back to French.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

DOCUMENT_LANGUAGES = ("fr", "de", "en")
FALLBACK_LANGUAGE = "fr"

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "work_report": "Rapport de travail",
        "photo_documentation": "Documentation photo",
        "offer": "Offre",
        "photos": "Photo",
        "order": "Commande",
        "client": "Client",
        "building": "Bâtiment",
        "buildings": "Bâtiments",
        "report_date": "Date du rapport",
        "work_period": "Période des travaux",
        "employees": "Collaborateurs",
        "date": "Date",
        "employee": "Collaborateur",
        "hours": "Heures",
        "description": "Description",
        "work_done": "Travaux effectués",
        "materials": "Matériel",
        "quantity": "Quantité",
        "unit": "Unité",
        "total_hours": "Total des heures",
        "remarks": "Remarques",
        "signatures": "Signatures",
        "for_company": "Pour l'entreprise",
        "for_client": "Pour le client",
        "name": "Nom",
        "signature": "Signature",
        "page": "Page",
        "taken_by": "Prise par",
        "photo_count": "Nombre de photos",
        "offer_number": "Offre n°",
        "offer_date": "Date de l'offre",
        "valid_until": "Valable jusqu'au",
        "validity": "Cette offre est valable jusqu'au {date}.",
        "position": "Pos.",
        "unit_price": "Prix unitaire",
        "vat_rate": "TVA",
        "amount": "Montant",
        "net_total": "Total hors TVA",
        "vat_on": "TVA {rate} % sur {base}",
        "rounding": "Arrondi",
        "total": "Total TVA comprise",
        "terms": "Conditions",
        "vat_number": "N° TVA",
        "phone": "Tél.",
        "currency": "CHF",
        "hours_unit": "h",
    },
    "de": {
        "work_report": "Arbeitsrapport",
        "photo_documentation": "Fotodokumentation",
        "offer": "Offerte",
        "photos": "Foto",
        "order": "Auftrag",
        "client": "Kunde",
        "building": "Gebäude",
        "buildings": "Gebäude",
        "report_date": "Rapportdatum",
        "work_period": "Ausführungszeitraum",
        "employees": "Mitarbeitende",
        "date": "Datum",
        "employee": "Mitarbeiter/in",
        "hours": "Stunden",
        "description": "Beschreibung",
        "work_done": "Ausgeführte Arbeiten",
        "materials": "Material",
        "quantity": "Menge",
        "unit": "Einheit",
        "total_hours": "Total Stunden",
        "remarks": "Bemerkungen",
        "signatures": "Unterschriften",
        "for_company": "Für den Auftragnehmer",
        "for_client": "Für den Kunden",
        "name": "Name",
        "signature": "Unterschrift",
        "page": "Seite",
        "taken_by": "Aufgenommen von",
        "photo_count": "Anzahl Fotos",
        "offer_number": "Offerte Nr.",
        "offer_date": "Offertdatum",
        "valid_until": "Gültig bis",
        "validity": "Diese Offerte ist gültig bis {date}.",
        "position": "Pos.",
        "unit_price": "Einzelpreis",
        "vat_rate": "MWST",
        "amount": "Betrag",
        "net_total": "Total exkl. MWST",
        "vat_on": "MWST {rate} % auf {base}",
        "rounding": "Rundung",
        "total": "Total inkl. MWST",
        "terms": "Bedingungen",
        "vat_number": "MWST-Nr.",
        "phone": "Tel.",
        "currency": "CHF",
        "hours_unit": "h",
    },
    "en": {
        "work_report": "Work report",
        "photo_documentation": "Photo documentation",
        "offer": "Quotation",
        "photos": "Photo",
        "order": "Order",
        "client": "Client",
        "building": "Building",
        "buildings": "Buildings",
        "report_date": "Report date",
        "work_period": "Work period",
        "employees": "Staff",
        "date": "Date",
        "employee": "Employee",
        "hours": "Hours",
        "description": "Description",
        "work_done": "Work performed",
        "materials": "Materials",
        "quantity": "Quantity",
        "unit": "Unit",
        "total_hours": "Total hours",
        "remarks": "Remarks",
        "signatures": "Signatures",
        "for_company": "For the contractor",
        "for_client": "For the client",
        "name": "Name",
        "signature": "Signature",
        "page": "Page",
        "taken_by": "Taken by",
        "photo_count": "Number of photos",
        "offer_number": "Quotation no.",
        "offer_date": "Date",
        "valid_until": "Valid until",
        "validity": "This quotation is valid until {date}.",
        "position": "Item",
        "unit_price": "Unit price",
        "vat_rate": "VAT",
        "amount": "Amount",
        "net_total": "Total excl. VAT",
        "vat_on": "VAT {rate} % on {base}",
        "rounding": "Rounding",
        "total": "Total incl. VAT",
        "terms": "Terms",
        "vat_number": "VAT no.",
        "phone": "Phone",
        "currency": "CHF",
        "hours_unit": "h",
    },
}


def document_language(language: str | None) -> str:
    """The language a document is written in: fr, de or en; Italian and the rest get French."""
    code = (language or "").strip().lower()[:2]
    return code if code in DOCUMENT_LANGUAGES else FALLBACK_LANGUAGE


def labels_for(language: str) -> dict[str, str]:
    return LABELS[document_language(language)]


def date_format(value: datetime.date | None) -> str:
    # Swiss documents write dates the same way in all three languages.
    return f"{value:%d.%m.%Y}" if value else ""


def amount_format(value: Decimal, *, places: int = 2) -> str:
    """1'234.50: the Swiss way of writing francs, whatever the language."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = "'".join(groups)
    return f"{sign}{text}.{fraction}" if places else f"{sign}{text}"


def quantity_format(value: Decimal) -> str:
    """A quantity without useless zeros: 1, 2.5, 0.25, 1'200."""
    normalized = value.normalize()
    places = max(0, -int(normalized.as_tuple().exponent))
    return amount_format(value, places=min(places, 4))


def rate_format(value: Decimal) -> str:
    return quantity_format(value)
