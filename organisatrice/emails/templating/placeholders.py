"""The catalogue of placeholders an email template may use, and the values they take.

One place defines each placeholder: its name, what it means and an example. The
composer fills the values from the order; the backoffice shows the catalogue and
validates templates against the sample values.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django_stubs_ext import StrOrPromise

from organisatrice.clients.models import Contact, Salutation
from organisatrice.orders.models import Offer, Order, WorkReport
from organisatrice.orders.selectors import offer_totals
from organisatrice.people.models import CompanySettings, Employee
from organisatrice.swiss_numbers import amount_format, quantity_format

from .sandbox import Unfilled


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: StrOrPromise
    example: str


def _p(name: str, meaning: StrOrPromise, example: str) -> Placeholder:
    return Placeholder(name=name, meaning=meaning, example=example)


# The example values are also the sample data templates are validated against.
CATALOGUE: list[Placeholder] = [
    _p("order_number", _("Numéro de la commande"), "2026-00042"),
    _p("order_title", _("Titre de la commande"), "Remplacement de la pompe de circulation"),
    _p("order_start_date", _("Date de début de la commande"), "02.11.2026"),
    _p("order_end_date", _("Date de fin de la commande"), "20.11.2026"),
    _p("client_name", _("Nom du client"), "Gérance Léman SA"),
    _p("client_address", _("Adresse du client"), "Avenue de la Gare 12, 1003 Lausanne"),
    _p("building_name", _("Premier bâtiment de la commande"), "Résidence Les Érables"),
    _p("building_address", _("Adresse du premier bâtiment"), "Chemin des Érables 4, 1010 Lausanne"),
    _p("buildings", _("Tous les bâtiments de la commande"), "Résidence Les Érables, Les Tilleuls"),
    _p("contact_name", _("Prénom et nom du destinataire principal"), "Anne Favre"),
    _p("contact_last_name", _("Nom du destinataire principal"), "Favre"),
    _p("contact_salutation", _("Civilité et nom du destinataire, dans la langue du gabarit"), "Madame Favre"),
    _p(
        "formal_greeting",
        _("Formule d'appel complète, dans la langue du gabarit"),
        "Bonjour Madame Favre",
    ),
    _p("employee_name", _("Prénom et nom du collaborateur qui envoie"), "Marie Rochat"),
    _p("employee_function", _("Fonction du collaborateur"), "Technicienne"),
    _p("employee_phone", _("Téléphone du collaborateur"), "+41 21 555 12 34"),
    _p("employee_email", _("eMail du collaborateur"), "marie.rochat@dupont-sa.ch"),
    _p("company_name", _("Nom de l'entreprise"), "Dupont Technique SA"),
    _p("company_phone", _("Téléphone de l'entreprise"), "+41 21 555 00 00"),
    _p("company_website", _("Site web de l'entreprise"), "www.dupont-sa.ch"),
    _p("today", _("Date du jour"), "28.11.2026"),
    _p("document_name", _("Nom du document joint, dans la langue du gabarit"), "rapport de travail"),
    _p("work_report_date", _("Date du rapport de travail joint"), "20.11.2026"),
    _p("work_report_hours", _("Total des heures du rapport joint"), "7.5"),
    _p("offer_number", _("Numéro de l'offre jointe"), "OF-2026-0017"),
    _p("offer_valid_until", _("Validité de l'offre jointe"), "10.12.2026"),
    _p("offer_total", _("Total TTC de l'offre jointe, en CHF"), "1'234.55"),
    _p("photo_count", _("Nombre de photos jointes"), "12"),
]

PLACEHOLDER_NAMES = frozenset(p.name for p in CATALOGUE)
_BY_NAME = {p.name: p for p in CATALOGUE}
# How an Unfilled placeholder is written out, and how a person would type one back.
_WRITTEN_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def unfilled_placeholders(text: str) -> list[Placeholder]:
    """The placeholders still written as such in a draft's text: they had no value on the order."""
    names = dict.fromkeys(m.group(1) for m in _WRITTEN_PLACEHOLDER.finditer(text))
    return [_BY_NAME[name] for name in names if name in _BY_NAME]


def sample_context() -> dict[str, str]:
    return {p.name: p.example for p in CATALOGUE}


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _salutations(contact: Contact | None, language: str) -> tuple[str, str]:
    """(contact_salutation, formal_greeting) in the template's language."""
    with translation.override(language):
        if contact is None or not contact.salutation:
            name = contact.full_name if contact else ""
            generic = pgettext("greeting without a known person", "Madame, Monsieur")
            if name and contact is not None:
                return name, pgettext("greeting with a name", "Bonjour %(name)s") % {"name": name}
            return generic, generic
        if contact.salutation == Salutation.MR:
            title = pgettext("salutation", "Monsieur")
            greeting = pgettext("formal greeting, man", "Bonjour Monsieur %(name)s")
        else:
            title = pgettext("salutation", "Madame")
            greeting = pgettext("formal greeting, woman", "Bonjour Madame %(name)s")
        return f"{title} {contact.last_name}", greeting % {"name": contact.last_name}


def placeholder_values(
    *,
    order: Order,
    employee: Employee,
    company: CompanySettings,
    language: str,
    contact: Contact | None = None,
    work_report: WorkReport | None = None,
    offer: Offer | None = None,
    photo_count: int = 0,
    document_name: str = "",
) -> dict[str, str]:
    buildings = list(order.buildings.all())
    first = buildings[0] if buildings else None
    contact_salutation, formal_greeting = _salutations(contact, language)
    values = {
        "order_number": order.number,
        "order_title": order.title,
        "order_start_date": _date(order.start_date),
        "order_end_date": _date(order.end_date),
        "client_name": order.client.name,
        "client_address": order.client.address_line,
        "building_name": first.name if first else "",
        "building_address": first.address_line if first else "",
        "buildings": ", ".join(b.name for b in buildings),
        "contact_name": contact.full_name if contact else "",
        "contact_last_name": contact.last_name if contact else "",
        "contact_salutation": contact_salutation,
        "formal_greeting": formal_greeting,
        "employee_name": employee.full_name,
        "employee_function": employee.function,
        "employee_phone": employee.phone,
        "employee_email": employee.email,
        "company_name": company.name,
        "company_phone": company.phone,
        "company_website": company.website,
        "today": _date(timezone.localdate()),
        "document_name": document_name,
        "work_report_date": _date(work_report.date) if work_report else "",
        "work_report_hours": quantity_format(work_report.total_hours) if work_report else "",
        "offer_number": offer.number if offer else "",
        "offer_valid_until": _date(offer.valid_until) if offer else "",
        "offer_total": amount_format(offer_totals(offer=offer).total) if offer else "",
        "photo_count": str(photo_count) if photo_count else "",
    }
    # A value this order lacks renders as its placeholder, never as a blank in the client's email.
    return {name: value or Unfilled(name) for name, value in values.items()}
