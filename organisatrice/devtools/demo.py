"""Demo data: a Swiss building-services company, its staff, its clients and their orders.

Everything is drawn from one `random.Random` and dated relative to `DEMO_TODAY`, never
from the clock, so a seed always gives the same data. Rows are written with bulk_create
in batches of `ORDERS_PER_BATCH` orders, one transaction each, so a hundred thousand
orders take minutes; the photos are a small pool of generated JPEGs stored once and
referenced by every Photo row.
"""

import datetime
import io
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from PIL import Image, ImageDraw, ImageFont

from organisatrice.clients.models import Building, Client, Contact, Salutation
from organisatrice.orders.models import (
    Offer,
    OfferLine,
    Order,
    OrderEvent,
    Photo,
    WorkReport,
    WorkReportLine,
    WorkReportMaterial,
)
from organisatrice.orders.services import order_number_next, order_search_text_refresh
from organisatrice.people.models import CompanySettings, Employee, Language
from organisatrice.people.selectors import company_settings_get
from organisatrice.people.services import employee_create

DEMO_PASSWORD = "demo"  # noqa: S105 -- the documented password of the demo logins
# The demo's "today": dates are relative to it so that a seed gives the same data on any day.
DEMO_TODAY = datetime.date(2026, 11, 27)
ORDERS_PER_BATCH = 1000
PHOTO_POOL_SIZE = 12
PHOTO_POOL_DIR = "demo/photos"
ZURICH = ZoneInfo("Europe/Zurich")
T = TypeVar("T")

HEATING, SANITARY, VENTILATION, ELECTRICITY = "heating", "sanitary", "ventilation", "electricity"
FR, DE = Language.FRENCH.value, Language.GERMAN.value


# --- The company and its staff ---------------------------------------------------------

COMPANY_DOMAIN = "dupont-tb.ch"
COMPANY = {
    "name": "Dupont Technique du Bâtiment SA",
    "street": "Route de Renens 24",
    "postal_code": "1008",
    "city": "Prilly",
    "phone": "+41 21 624 18 30",
    "website": "www.dupont-tb.ch",
    # A well-formed UID (its check digit is right), registered to nobody.
    "vat_number": "CHE-123.456.788 TVA",
    "sending_domain": COMPANY_DOMAIN,
    "sending_address": f"service@{COMPANY_DOMAIN}",
    # The logo is on the letterheads, not in the signature: beside a short text an image
    # costs points with spam filters (a work report would score 1.5 with SpamAssassin).
    "logo_in_emails": False,
}


@dataclass(frozen=True)
class StaffMember:
    username: str
    first_name: str
    last_name: str
    function: str
    phone: str
    trades: tuple[str, ...] = ()
    languages: tuple[str, ...] = (FR,)
    is_superuser: bool = False
    is_dispatcher: bool = False
    is_coordinator: bool = False
    is_technician: bool = False
    mail_permission: bool = False

    @property
    def email(self) -> str:
        return f"{_ascii_slug(self.first_name)[0]}.{_ascii_slug(self.last_name, sep='')}@{COMPANY_DOMAIN}"


ALL_TRADES = (HEATING, SANITARY, VENTILATION, ELECTRICITY)
STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", "Claire", "Dupont", "Directrice", "+41 21 624 18 31", is_superuser=True),
    StaffMember(
        "dispatcher", "Sandrine", "Moret", "Répartitrice", "+41 21 624 18 35", is_dispatcher=True, mail_permission=True
    ),
    StaffMember(
        "coordinator",
        "Marc",
        "Bonvin",
        "Coordinateur de chantiers",
        "+41 79 215 48 62",
        trades=ALL_TRADES,
        languages=(FR, DE),
        is_coordinator=True,
        mail_permission=True,
    ),
    StaffMember(
        "tech1",
        "Luca",
        "Bernasconi",
        "Technicien en chauffage",
        "+41 79 412 56 18",
        trades=(HEATING, VENTILATION),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "tech2",
        "Jonas",
        "Aebischer",
        "Installateur sanitaire",
        "+41 78 623 90 14",
        trades=(SANITARY,),
        languages=(FR, DE),
        is_technician=True,
    ),
    StaffMember(
        "n.pittet",
        "Nicolas",
        "Pittet",
        "Monteur en chauffage",
        "+41 79 318 22 47",
        trades=(HEATING,),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "d.gay",
        "David",
        "Gay",
        "Installateur sanitaire",
        "+41 76 541 08 93",
        trades=(SANITARY,),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "k.rochat",
        "Kevin",
        "Rochat",
        "Électricien de montage",
        "+41 78 902 33 15",
        trades=(ELECTRICITY,),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "p.vuilleumier",
        "Patrick",
        "Vuilleumier",
        "Chef monteur électricien",
        "+41 79 667 14 50",
        trades=(ELECTRICITY,),
        languages=(FR, DE),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "m.clerc",
        "Mathieu",
        "Clerc",
        "Technicien en ventilation",
        "+41 77 488 61 29",
        trades=(VENTILATION,),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "s.kaeser",
        "Samuel",
        "Käser",
        "Servicetechniker Lüftung",
        "+41 79 730 52 84",
        trades=(VENTILATION, HEATING),
        languages=(DE, FR),
        is_technician=True,
        mail_permission=True,
    ),
    StaffMember(
        "r.baumann",
        "Reto",
        "Baumann",
        "Servicetechniker Heizung",
        "+41 78 214 77 36",
        trades=(HEATING, SANITARY),
        languages=(DE,),
        is_technician=True,
        mail_permission=True,
    ),
    # An apprentice is never responsible for an order but works on many.
    StaffMember(
        "f.dasilva",
        "Fábio",
        "Da Silva",
        "Apprenti installateur en chauffage",
        "+41 76 305 91 42",
        is_technician=True,
    ),
)
DEMO_ACCOUNTS = ("admin", "dispatcher", "coordinator", "tech1", "tech2")
# The showcase orders: recent, with documents and contacts that have email addresses.
SHOWCASE = {"tech1": 6, "tech2": 3}


# --- Places and people -----------------------------------------------------------------
# fmt: off

# (NPA, locality, telephone area code)
PLACES = {
    FR: [
        ("1003", "Lausanne", "21"), ("1004", "Lausanne", "21"), ("1005", "Lausanne", "21"),
        ("1006", "Lausanne", "21"), ("1007", "Lausanne", "21"), ("1010", "Lausanne", "21"),
        ("1018", "Lausanne", "21"), ("1008", "Prilly", "21"), ("1009", "Pully", "21"), ("1020", "Renens", "21"),
        ("1024", "Ecublens", "21"), ("1095", "Lutry", "21"), ("1110", "Morges", "21"), ("1800", "Vevey", "21"),
        ("1814", "La Tour-de-Peilz", "21"), ("1820", "Montreux", "21"), ("1196", "Gland", "22"),
        ("1260", "Nyon", "22"), ("1201", "Genève", "22"), ("1202", "Genève", "22"), ("1203", "Genève", "22"),
        ("1205", "Genève", "22"), ("1206", "Genève", "22"), ("1207", "Genève", "22"), ("1212", "Grand-Lancy", "22"),
        ("1217", "Meyrin", "22"), ("1227", "Carouge", "22"), ("1400", "Yverdon-les-Bains", "24"),
        ("1860", "Aigle", "24"), ("1870", "Monthey", "24"), ("1630", "Bulle", "26"), ("1700", "Fribourg", "26"),
        ("1920", "Martigny", "27"), ("1950", "Sion", "27"), ("3960", "Sierre", "27"), ("2000", "Neuchâtel", "32"),
        ("2300", "La Chaux-de-Fonds", "32"), ("2800", "Delémont", "32"),
    ],
    DE: [
        ("3007", "Bern", "31"), ("3011", "Bern", "31"), ("3013", "Bern", "31"), ("3084", "Wabern", "31"),
        ("3098", "Köniz", "31"), ("3400", "Burgdorf", "34"), ("3600", "Thun", "33"), ("2502", "Biel/Bienne", "32"),
        ("2503", "Biel/Bienne", "32"), ("4500", "Solothurn", "32"), ("3186", "Düdingen", "26"),
        ("3280", "Murten", "26"), ("3900", "Brig", "27"), ("3930", "Visp", "27"),
    ],
}
STREETS = {
    FR: [
        "Avenue de la Gare", "Rue du Midi", "Chemin des Alpes", "Rue de Lausanne", "Avenue de Cour",
        "Route de Genève", "Rue du Simplon", "Chemin de Bellevue", "Avenue des Alpes", "Rue de la Servette",
        "Rue du Lac", "Avenue de Rumine", "Rue Centrale", "Rue de Bourg", "Avenue d'Ouchy", "Chemin des Vignes",
        "Rue des Terreaux", "Avenue de Beaulieu", "Chemin du Levant", "Rue du Château", "Route de Berne",
        "Chemin des Pâquerettes", "Avenue de Morges", "Rue de la Dent-Blanche", "Chemin de la Forêt",
        "Rue des Moulins", "Avenue du Léman", "Chemin des Cerisiers",
    ],
    DE: [
        "Bahnhofstrasse", "Seestrasse", "Hauptstrasse", "Kirchweg", "Schulhausstrasse", "Dorfstrasse", "Bernstrasse",
        "Marktgasse", "Lindenweg", "Birkenweg", "Gartenstrasse", "Feldstrasse", "Wylerstrasse", "Spitalgasse",
        "Weinbergstrasse", "Sonnenbergstrasse", "Rosenweg", "Aarestrasse", "Murtenstrasse", "Freiburgstrasse",
    ],
}
RESIDENCES = {
    FR: [
        "Les Érables", "Les Tilleuls", "Le Bosquet", "Bellevue", "Les Cèdres", "Le Clos-Fleuri", "Les Peupliers",
        "Beau-Site", "La Roseraie", "Les Marronniers", "Le Verger", "Les Mouettes", "Mon-Repos", "Les Glycines",
    ],
    DE: [
        "Sonnenhof", "Lindenpark", "Rosengarten", "Birkenhof", "Seeblick", "Buchenhof", "Aarepark", "Matte",
    ],
}
REGIONS = {
    FR: ["Léman", "Lavaux", "Chablais", "Jura", "Gros-de-Vaud", "Rhône", "Vieux-Bourg", "Lac"],
    DE: ["Aare", "Seeland", "Sense", "Oberwallis", "Gürbetal", "Emmental"],
}
SURNAMES = {
    FR: [
        "Favre", "Rochat", "Pittet", "Morand", "Cuendet", "Dubois", "Perret", "Jaquier", "Monnier", "Chappuis",
        "Rey", "Mottier", "Mercier", "Blanc", "Fournier", "Bovet", "Python", "Savary", "Cretton", "Fellay",
        "Vouilloz", "Pache", "Rossier", "Jaccard", "Gilliéron", "Jeanneret", "Berset", "Dupasquier", "Gavillet",
        "Nicolet", "Aubert", "Tissot", "Borgeaud", "Michaud", "Bugnon", "Décosterd", "Pasche", "Reymond",
        "Chevalley", "Menétrey",
    ],
    DE: [
        "Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Schneider", "Steiner", "Fischer", "Gerber",
        "Brunner", "Frei", "Zimmermann", "Moser", "Widmer", "Wyss", "Graf", "Roth", "Zürcher", "Bühler", "Hofer",
        "Lüthi", "Schär", "Stucki", "Marti", "Bieri", "Rüfenacht", "Flückiger",
    ],
}
FIRST_NAMES = {
    (FR, Salutation.MRS): [
        "Anne", "Sophie", "Nathalie", "Christine", "Isabelle", "Valérie", "Céline", "Laure", "Élodie", "Chantal",
        "Martine", "Aurélie", "Myriam", "Josiane",
    ],
    (FR, Salutation.MR): [
        "Jean-Pierre", "Pierre-Alain", "Philippe", "Laurent", "Olivier", "Nicolas", "Christophe", "Stéphane", "Yves",
        "Didier", "Alain", "Frédéric", "Sébastien", "Jean-Marc",
    ],
    (DE, Salutation.MRS): [
        "Ursula", "Brigitte", "Monika", "Sandra", "Barbara", "Claudia", "Andrea", "Regula", "Corinne",
    ],
    (DE, Salutation.MR): [
        "Hans", "Peter", "Urs", "Thomas", "Daniel", "Markus", "Beat", "Martin", "Stefan", "Reto",
    ],
}
FUNCTIONS = {
    (FR, "regie"): [
        ("Gérante technique", "Gérant technique"), ("Gérante", "Gérant"),
        ("Assistante technique", "Assistant technique"),
    ],
    (DE, "regie"): [
        ("Bewirtschafterin", "Bewirtschafter"), ("Technische Leiterin", "Technischer Leiter"),
        ("Sachbearbeiterin", "Sachbearbeiter"),
    ],
    (FR, "ppe"): [
        ("Administratrice PPE", "Administrateur PPE"), ("Présidente de la PPE", "Président de la PPE"),
    ],
    (DE, "ppe"): [("Verwalterin STWEG", "Verwalter STWEG"), ("Präsidentin STWEG", "Präsident STWEG")],
    (FR, "institution"): [("Responsable technique", "Responsable technique"), ("Intendante", "Intendant")],
    (DE, "institution"): [
        ("Leiterin Technischer Dienst", "Leiter Technischer Dienst"),
        ("Hauswartin", "Hauswart"),
    ],
    (FR, "building"): [
        ("Concierge", "Concierge"),
        ("Responsable d'exploitation", "Responsable d'exploitation"),
    ],
    (DE, "building"): [
        ("Hauswartin", "Hauswart"), ("Hauswartin", "Hauswart"), ("Betriebsleiterin", "Betriebsleiter"),
    ],
    (FR, "private"): [("Propriétaire", "Propriétaire")],
    (DE, "private"): [("Eigentümerin", "Eigentümer")],
}
# Private people's mailboxes; invented providers, so that demo data sent through a real
# server by mistake cannot land in a real person's inbox at a big provider.
PRIVATE_MAIL_DOMAINS = ["netplus-mail.ch", "swissmail.ch", "alpenpost.ch", "lemanet.ch"]
MOBILE_PREFIXES = ["76", "77", "78", "79"]


# --- The work --------------------------------------------------------------------------


@dataclass(frozen=True)
class TradeTexts:
    titles: Sequence[str]
    lines: Sequence[str]
    materials: Sequence[tuple[str, str]]
    # (description, unit, lowest and highest unit price in CHF)
    offer_items: Sequence[tuple[str, str, int, int]]
    labour: str
    captions: Sequence[str]


TRADES: dict[str, dict[str, TradeTexts]] = {
    HEATING: {
        FR: TradeTexts(
            titles=[
                "Remplacement de la pompe de circulation", "Entretien annuel de la chaudière à gaz",
                "Purge et équilibrage du circuit de chauffage", "Remplacement des vannes thermostatiques",
                "Panne de chauffage – brûleur en dérangement", "Mise en service de la pompe à chaleur",
                "Remplacement du vase d'expansion", "Contrôle de combustion (OPair)",
                "Assainissement de la chaufferie", "Radiateurs froids dans les étages supérieurs",
            ],
            lines=[
                "Diagnostic de la panne du brûleur", "Démontage de l'ancienne pompe de circulation",
                "Pose et raccordement de la nouvelle pompe", "Remplissage et purge de l'installation",
                "Contrôle de la pression et des températures de départ", "Réglage de la courbe de chauffe",
                "Nettoyage de la chaudière et du brûleur", "Remplacement de l'électrode d'allumage",
                "Équilibrage hydraulique des radiateurs", "Mise en service et essais de fonctionnement",
            ],
            materials=[
                ("Pompe de circulation Grundfos Alpha2 25-60", "pce"), ("Vase d'expansion Reflex NG 35 l", "pce"),
                ("Tête thermostatique Danfoss RA 2000", "pce"), ("Électrode d'allumage", "pce"),
                ('Joint fibre 3/4"', "pce"), ("Glycol antigel", "l"), ("Tube cuivre 22 mm", "m"),
                ("Raccord à sertir 22 mm", "pce"),
            ],
            offer_items=[
                ("Fourniture pompe de circulation Grundfos Alpha2 25-60", "pce", 390, 520),
                ("Fourniture vase d'expansion Reflex NG 35 l", "pce", 180, 260),
                ("Fourniture tête thermostatique Danfoss", "pce", 38, 65),
                ("Rinçage et traitement de l'eau de chauffage", "forfait", 280, 650),
                ("Contrôle de combustion et rapport OPair", "forfait", 140, 220),
            ],
            labour="Main d'œuvre monteur en chauffage",
            captions=[
                "Chaufferie avant intervention", "Pompe de circulation remplacée", "Manomètre après remplissage",
                "Brûleur démonté", "Vase d'expansion neuf", "Radiateur avec nouvelle tête thermostatique",
            ],
        ),
        DE: TradeTexts(
            titles=[
                "Ersatz Umwälzpumpe", "Jährlicher Service Gasheizung",
                "Heizung entlüften und hydraulisch abgleichen", "Ersatz Thermostatventile", "Störung Brenner",
                "Inbetriebnahme Wärmepumpe", "Ersatz Expansionsgefäss", "Feuerungskontrolle (LRV)",
                "Sanierung Heizraum",
            ],
            lines=[
                "Störungsdiagnose Brenner", "Demontage alte Umwälzpumpe", "Montage und Anschluss neue Umwälzpumpe",
                "Anlage füllen und entlüften", "Kontrolle Druck und Vorlauftemperaturen", "Heizkurve eingestellt",
                "Reinigung Kessel und Brenner", "Hydraulischer Abgleich der Heizkörper",
                "Inbetriebnahme und Funktionskontrolle",
            ],
            materials=[
                ("Umwälzpumpe Grundfos Alpha2 25-60", "Stk"), ("Expansionsgefäss Reflex NG 35 l", "Stk"),
                ("Thermostatkopf Danfoss RA 2000", "Stk"), ('Fiberdichtung 3/4"', "Stk"), ("Kupferrohr 22 mm", "m"),
                ("Pressfitting 22 mm", "Stk"),
            ],
            offer_items=[
                ("Lieferung Umwälzpumpe Grundfos Alpha2 25-60", "Stk", 390, 520),
                ("Lieferung Expansionsgefäss Reflex NG 35 l", "Stk", 180, 260),
                ("Spülung und Aufbereitung Heizungswasser", "pauschal", 280, 650),
            ],
            labour="Arbeitszeit Heizungsmonteur",
            captions=[
                "Heizraum vor dem Eingriff", "Neue Umwälzpumpe", "Manometer nach dem Füllen", "Brenner demontiert",
            ],
        ),
    },
    SANITARY: {
        FR: TradeTexts(
            titles=[
                "Fuite sur colonne d'eau chaude", "Remplacement de la batterie de douche",
                "Débouchage de la colonne de chute", "Remplacement du WC suspendu",
                "Remplacement du chauffe-eau électrique 300 l", "Détartrage du chauffe-eau",
                "Réparation de la chasse d'eau", "Rinçage des conduites (légionelles)", "Contrôle de l'adoucisseur",
            ],
            lines=[
                "Recherche de fuite", "Coupure et vidange de la colonne", "Remplacement du tronçon défectueux",
                "Démontage de l'ancienne batterie", "Pose de la nouvelle batterie thermostatique",
                "Débouchage au furet électrique", "Détartrage et contrôle de l'anode",
                "Rinçage thermique des conduites", "Essais d'étanchéité",
            ],
            materials=[
                ("Mitigeur thermostatique Hansgrohe Ecostat", "pce"), ("Mécanisme de chasse Geberit", "pce"),
                ("Tube multicouche 20 mm", "m"), ("Raccord à sertir 20 mm", "pce"), ("Anode magnésium", "pce"),
                ("Ruban téflon", "pce"),
            ],
            offer_items=[
                ("Fourniture chauffe-eau électrique 300 l", "pce", 1450, 2100),
                ("Fourniture batterie thermostatique de douche", "pce", 240, 420),
                ("Fourniture WC suspendu complet avec bâti Geberit", "pce", 690, 980),
                ("Évacuation et élimination de l'ancien appareil", "forfait", 90, 180),
            ],
            labour="Main d'œuvre installateur sanitaire",
            captions=[
                "Fuite sur la colonne d'eau chaude", "Tronçon remplacé", "Nouvelle batterie de douche",
                "Chauffe-eau détartré", "Colonne de chute débouchée",
            ],
        ),
        DE: TradeTexts(
            titles=[
                "Leck an Warmwassersteigleitung", "Ersatz Duschbatterie", "Abflussverstopfung Fallleitung",
                "Ersatz Elektroboiler 300 l", "Entkalkung Boiler", "Spülkasten defekt", "Legionellenspülung",
            ],
            lines=[
                "Lecksuche", "Steigleitung abgestellt und entleert", "Defektes Rohrstück ersetzt",
                "Neue Thermostatbatterie montiert", "Fallleitung mit Spirale gereinigt",
                "Boiler entkalkt, Anode kontrolliert", "Dichtheitsprüfung",
            ],
            materials=[
                ("Thermostatbatterie Hansgrohe Ecostat", "Stk"), ("Spülmechanismus Geberit", "Stk"),
                ("Mehrschichtverbundrohr 20 mm", "m"), ("Magnesiumanode", "Stk"),
            ],
            offer_items=[
                ("Lieferung Elektroboiler 300 l", "Stk", 1450, 2100),
                ("Lieferung Thermostat-Duschbatterie", "Stk", 240, 420),
                ("Entsorgung Altgerät", "pauschal", 90, 180),
            ],
            labour="Arbeitszeit Sanitärinstallateur",
            captions=[
                "Leck an der Steigleitung", "Ersetztes Rohrstück", "Neue Duschbatterie", "Entkalkter Boiler",
            ],
        ),
    },
    VENTILATION: {
        FR: TradeTexts(
            titles=[
                "Nettoyage des gaines de ventilation", "Remplacement des filtres de la ventilation double flux",
                "Réparation du ventilateur d'extraction des cuisines", "Contrôle annuel de la VMC",
                "Remplacement du moteur de ventilation du parking",
            ],
            lines=[
                "Remplacement des filtres F7 et G4", "Nettoyage des bouches d'extraction", "Mesure des débits d'air",
                "Démontage du ventilateur défectueux", "Pose du nouveau moteur et réglage",
                "Nettoyage des gaines par brossage",
            ],
            materials=[
                ("Filtre F7 592x592", "pce"), ("Filtre G4 592x287", "pce"), ("Moteur EC 230 V", "pce"),
                ("Courroie trapézoïdale", "pce"),
            ],
            offer_items=[
                ("Fourniture jeu de filtres F7/G4", "jeu", 120, 260),
                ("Fourniture moteur EC pour ventilateur d'extraction", "pce", 850, 1400),
                ("Nettoyage des gaines, par mètre linéaire", "m", 18, 32),
            ],
            labour="Main d'œuvre technicien en ventilation",
            captions=[
                "Filtres encrassés", "Filtres neufs posés", "Ventilateur d'extraction", "Gaine après nettoyage",
            ],
        ),
        DE: TradeTexts(
            titles=[
                "Reinigung Lüftungskanäle", "Filterwechsel Komfortlüftung", "Ersatz Abluftventilator Küche",
                "Jährliche Kontrolle Lüftungsanlage",
            ],
            lines=[
                "Filter F7 und G4 ersetzt", "Abluftventile gereinigt", "Luftmengen gemessen",
                "Neuer Motor montiert und eingestellt",
            ],
            materials=[
                ("Filter F7 592x592", "Stk"), ("Filter G4 592x287", "Stk"), ("EC-Motor 230 V", "Stk"),
            ],
            offer_items=[
                ("Lieferung Filtersatz F7/G4", "Satz", 120, 260),
                ("Lieferung EC-Motor Abluftventilator", "Stk", 850, 1400),
            ],
            labour="Arbeitszeit Lüftungstechniker",
            captions=["Verschmutzte Filter", "Neue Filter eingesetzt", "Abluftventilator"],
        ),
    },
    ELECTRICITY: {
        FR: TradeTexts(
            titles=[
                "Remplacement du tableau électrique", "Contrôle OIBT périodique",
                "Éclairage LED de la cage d'escalier", "Pose de bornes de recharge au parking",
                "Dépannage – disjoncteur différentiel", "Remplacement des luminaires du garage",
            ],
            lines=[
                "Recherche du défaut d'isolement", "Remplacement du disjoncteur différentiel",
                "Mesures d'isolement et de boucle", "Démontage des anciens luminaires",
                "Pose des luminaires LED avec détecteurs", "Tirage de câbles et raccordement",
                "Établissement du rapport de sécurité (RaSi)",
            ],
            materials=[
                ("Disjoncteur différentiel 40 A 30 mA", "pce"), ("Luminaire LED 36 W avec détecteur", "pce"),
                ("Câble TT 5x2.5 mm²", "m"), ("Borne de recharge 11 kW", "pce"),
            ],
            offer_items=[
                ("Fourniture luminaire LED 36 W avec détecteur", "pce", 140, 230),
                ("Fourniture borne de recharge 11 kW", "pce", 1250, 1900),
                ("Fourniture tableau électrique équipé", "pce", 2400, 4800),
                ("Contrôle et rapport de sécurité (RaSi)", "forfait", 280, 480),
            ],
            labour="Main d'œuvre électricien",
            captions=[
                "Ancien tableau électrique", "Nouveau tableau équipé", "Luminaires LED posés", "Borne de recharge",
            ],
        ),
        DE: TradeTexts(
            titles=[
                "Ersatz Hauptverteilung", "Periodische NIV-Kontrolle", "LED-Beleuchtung Treppenhaus",
                "Ladestationen Einstellhalle", "Störung FI-Schalter",
            ],
            lines=[
                "Isolationsfehler gesucht", "FI-Schalter ersetzt", "Isolations- und Schleifenmessung",
                "LED-Leuchten mit Bewegungsmelder montiert", "Sicherheitsnachweis (SiNa) erstellt",
            ],
            materials=[
                ("FI-Schalter 40 A 30 mA", "Stk"), ("LED-Leuchte 36 W mit Melder", "Stk"),
                ("Kabel TT 5x2.5 mm²", "m"),
            ],
            offer_items=[
                ("Lieferung LED-Leuchte 36 W mit Melder", "Stk", 140, 230),
                ("Lieferung Ladestation 11 kW", "Stk", 1250, 1900),
                ("Kontrolle und Sicherheitsnachweis (SiNa)", "pauschal", 280, 480),
            ],
            labour="Arbeitszeit Elektromonteur",
            captions=["Alte Hauptverteilung", "Neue Verteilung", "LED-Leuchten montiert"],
        ),
    },
}
TRADE_WEIGHTS = {HEATING: 35, SANITARY: 30, VENTILATION: 15, ELECTRICITY: 20}
PLACES_IN_BUILDING = {
    FR: [
        "appartement {n}", "buanderie", "chaufferie", "garage souterrain", "cage d'escalier", "local technique",
    ],
    DE: [
        "Wohnung {n}", "Waschküche", "Heizraum", "Einstellhalle", "Treppenhaus", "Technikraum",
    ],
}
ORDER_NOTES = {
    FR: [
        "Signalé par la concierge : plus d'eau chaude depuis ce matin.",
        "Locataire absent le matin, passer après 14 h.", "Clé à retirer auprès de la concierge.",
        "Intervention selon contrat d'entretien.", "Urgent : dégât d'eau chez le voisin du dessous.",
    ],
    DE: [
        "Gemeldet vom Hauswart: kein Warmwasser seit heute Morgen.",
        "Mieter am Vormittag abwesend, ab 14 Uhr vorbeigehen.", "Schlüssel beim Hauswart abholen.",
        "Einsatz gemäss Servicevertrag.",
    ],
}
REPORT_REMARKS = {
    FR: [
        "Installation contrôlée, pression OK.", "Client informé, intervention terminée.",
        "Prévoir le remplacement du vase d'expansion lors du prochain entretien.",
        "Accès par la concierge, clé rendue.", "Locataire satisfait, aucune remarque.",
    ],
    DE: [
        "Anlage kontrolliert, Druck in Ordnung.", "Kunde informiert, Arbeiten abgeschlossen.",
        "Zugang über den Hauswart, Schlüssel zurückgegeben.",
    ],
}
# Offer lines that are not at the standard rate: official fees are outside VAT, printed
# matter is at the reduced rate.
OFFER_SPECIAL_ITEMS = {
    FR: [
        (
            "Émolument communal pour permis (hors champ TVA)", "forfait", 80, 250, OfferLine.VatRate.EXEMPT,
        ),
        ("Manuel d'entretien imprimé", "pce", 25, 45, OfferLine.VatRate.REDUCED),
    ],
    DE: [
        (
            "Gemeindegebühr Bewilligung (nicht MWST-pflichtig)", "pauschal", 80, 250, OfferLine.VatRate.EXEMPT,
        ),
        ("Gedrucktes Wartungshandbuch", "Stk", 25, 45, OfferLine.VatRate.REDUCED),
    ],
}
OFFER_COMMON = {
    FR: {
        "travel": ("Forfait déplacement", "forfait"),
        "small": ("Petit matériel et consommables", "forfait"),
    },
    DE: {
        "travel": ("Wegpauschale", "pauschal"),
        "small": ("Kleinmaterial und Verbrauchsmaterial", "pauschal"),
    },
}
OFFER_TERMS = {
    FR: "Offre valable 30 jours. Prix en CHF, TVA selon détail. Paiement à 30 jours net.",
    DE: "Offerte gültig 30 Tage. Preise in CHF, MWST gemäss Aufstellung. Zahlbar innert 30 Tagen netto.",
}




# fmt: on

# --- Small helpers ---------------------------------------------------------------------


def _ascii_slug(text: str, *, sep: str = "-") -> str:
    """Lower-case ASCII for email addresses and domains; Swiss German spells ü as ue."""
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return sep.join(words)


def _phone(rng: random.Random, area: str) -> str:
    return f"+41 {area} {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _mobile(rng: random.Random) -> str:
    return _phone(rng, rng.choice(MOBILE_PREFIXES))


def _street(rng: random.Random, language: str) -> str:
    number = str(rng.randint(1, 80))
    if rng.random() < 0.08:
        number += rng.choice(["a", "b", "bis"])
    return f"{rng.choice(STREETS[language])} {number}"


@dataclass
class _Person:
    salutation: str
    first_name: str
    last_name: str


def _person(rng: random.Random, language: str) -> _Person:
    salutation = rng.choice([Salutation.MRS, Salutation.MR])
    return _Person(salutation, rng.choice(FIRST_NAMES[(language, salutation)]), rng.choice(SURNAMES[language]))


def _function(rng: random.Random, language: str, where: str, salutation: str, position: int | None = None) -> str:
    functions = FUNCTIONS[(language, where)]
    for_woman, for_man = rng.choice(functions) if position is None else functions[position % len(functions)]
    return for_woman if salutation == Salutation.MRS else for_man


def _contact(
    rng: random.Random,
    *,
    language: str,
    where: str,
    domain: str | None,
    area: str,
    with_email: bool,
    position: int | None = None,
) -> Contact:
    person = _person(rng, language)
    email = ""
    if with_email:
        local = f"{_ascii_slug(person.first_name, sep='')[0]}.{_ascii_slug(person.last_name, sep='')}"
        email = f"{local}@{domain or rng.choice(PRIVATE_MAIL_DOMAINS)}"
    return Contact(
        salutation=person.salutation,
        first_name=person.first_name,
        last_name=person.last_name,
        function=_function(rng, language, where, person.salutation, position),
        email=email,
        phone=_phone(rng, area) if rng.random() < 0.6 else _mobile(rng),
        language=language,
    )


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 20, high * 20)) / 20


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZURICH)


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- Company, staff and photos ---------------------------------------------------------


def demo_company_ensure() -> CompanySettings:
    """Fills in the demo company, unless someone has already configured the real one."""
    company = company_settings_get()
    placeholder_domain = CompanySettings._meta.get_field("sending_domain").get_default()
    if company.sending_domain != placeholder_domain:
        return company
    for name, value in COMPANY.items():
        setattr(company, name, value)
    company.logo.save("dupont-tb-logo.png", ContentFile(_logo_png()), save=False)
    company.full_clean()
    company.save()
    return company


def demo_staff_ensure() -> tuple[dict[str, Employee], list[str]]:
    """The demo employees by username, and the usernames created now.

    An existing account is left as it is, so that seeding twice, or seeding a database
    where someone already made an `admin`, does not fail and changes no password.
    """
    usernames = [member.username for member in STAFF]
    employees = {
        e.user.username: e for e in Employee.objects.select_related("user").filter(user__username__in=usernames)
    }
    taken = set(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True))
    created = []
    for member in STAFF:
        if member.username in taken:
            continue
        employees[member.username] = employee_create(
            username=member.username,
            password=DEMO_PASSWORD,
            first_name=member.first_name,
            last_name=member.last_name,
            email=member.email,
            phone=member.phone,
            function=member.function,
            is_dispatcher=member.is_dispatcher,
            is_coordinator=member.is_coordinator,
            is_technician=member.is_technician,
            mail_permission=member.mail_permission,
            is_superuser=member.is_superuser,
        )
        created.append(member.username)
    return employees, created


@dataclass(frozen=True)
class PoolPhoto:
    name: str
    orientation: int


def _photo_orientation(index: int) -> int:
    # Phones store many pictures sideways with an EXIF orientation tag: a third of the pool
    # does so, to exercise every consumer that must apply it.
    return {1: 6, 4: 8, 7: 3, 10: 6}.get(index, 1)


def demo_photo_pool_ensure() -> list[PoolPhoto]:
    """The shared demo pictures, generated into the default storage on first use."""
    pool = []
    for index in range(PHOTO_POOL_SIZE):
        name = f"{PHOTO_POOL_DIR}/photo-{index + 1:02d}.jpg"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(_photo_jpeg(index)))
        pool.append(PoolPhoto(name=name, orientation=_photo_orientation(index)))
    return pool


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _photo_jpeg(index: int) -> bytes:
    """A 1600×1200 picture of an imaginary plant room, a few hundred kilobytes.

    Drawn upright with an arrow pointing up, then stored rotated as a camera would, with
    the EXIF orientation that puts it upright again; some carry a GPS position as phones
    add one, which must not leave the company with the photo.
    """
    rng = random.Random(index)  # noqa: S311 -- pictures, not secrets
    width, height = 1600, 1200
    wall = tuple(rng.randint(150, 215) for _ in range(3))
    picture = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, int(height * 0.78), width, height], fill=(110, 105, 100))
    boiler_x = rng.randint(150, 700)
    draw.rounded_rectangle([boiler_x, 260, boiler_x + 420, 900], radius=30, fill=(235, 235, 230), outline=(60, 60, 60))
    draw.ellipse([boiler_x + 150, 380, boiler_x + 270, 500], fill=(250, 250, 250), outline=(30, 30, 30), width=6)
    copper = (184, 115, 51)
    for pipe in range(rng.randint(2, 4)):
        x = boiler_x + 80 + pipe * 90
        draw.line([x, 900, x, 1000, width - 100, 1000 - pipe * 40], fill=copper, width=22)
    draw.polygon([(1400, 150), (1340, 280), (1460, 280)], fill=(200, 30, 30))
    draw.rectangle([1385, 280, 1415, 420], fill=(200, 30, 30))
    draw.text((60, 60), f"Photo d'exemple {index + 1}", font=_font(64), fill=(20, 20, 20))
    # Grain, as in a real photo; without it the JPEG would be a few kilobytes.
    grain_size = (320, 240)
    grain = Image.frombytes("RGB", grain_size, rng.randbytes(grain_size[0] * grain_size[1] * 3))
    picture = Image.blend(picture, grain.resize((width, height), Image.Resampling.BICUBIC), 0.16)

    orientation = _photo_orientation(index)
    stored = {
        1: picture,
        3: picture.transpose(Image.Transpose.ROTATE_180),
        6: picture.transpose(Image.Transpose.ROTATE_90),
        8: picture.transpose(Image.Transpose.ROTATE_270),
    }[orientation]
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 13"  # Model
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = f"2026:11:{10 + index:02d} 09:{10 + index:02d}:00"  # DateTimeOriginal
    if index % 3 == 0:
        exif.get_ifd(0x8825).update({1: "N", 2: (46.0, 31.0, 10.0 + index), 3: "E", 4: (6.0, 35.0, 20.0)})
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def _logo_png() -> bytes:
    logo = Image.new("RGB", (600, 160), (255, 255, 255))
    draw = ImageDraw.Draw(logo)
    draw.rectangle([0, 0, 24, 160], fill=(0, 84, 147))
    draw.text((50, 18), "DUPONT", font=_font(72), fill=(0, 84, 147))
    draw.text((52, 104), "TECHNIQUE DU BATIMENT SA", font=_font(32), fill=(90, 90, 90))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    return buffer.getvalue()


# --- Clients, buildings and contacts ---------------------------------------------------

REGIE, PPE, PRIVATE, INSTITUTION = "regie", "ppe", "private", "institution"
CLIENT_KIND_WEIGHTS = {REGIE: 40, PPE: 25, PRIVATE: 25, INSTITUTION: 10}
LANGUAGE_WEIGHTS = {FR: 72, DE: 28}


@dataclass
class _ClientPlan:
    client: Client
    kind: str
    language: str
    buildings: list[Building] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    building_contacts: list[tuple[Building, Contact]] = field(default_factory=list)

    @property
    def order_weight(self) -> int:
        return {REGIE: 2 + len(self.buildings), PPE: 2, PRIVATE: 1, INSTITUTION: 3}[self.kind]

    @property
    def buildings_with_email(self) -> list[Building]:
        return [building for building, contact in self.building_contacts if contact.email]

    @property
    def has_emails_everywhere(self) -> bool:
        return any(c.email for c in self.contacts) and bool(self.buildings_with_email)


def _client_name(rng: random.Random, kind: str, language: str, city: str, street: str) -> tuple[str, str]:
    """A client's name and its email domain."""
    surname, other = rng.sample(SURNAMES[language], 2)
    slug, other_slug = _ascii_slug(surname), _ascii_slug(other)
    region = rng.choice(REGIONS[language])
    residence = rng.choice(RESIDENCES[language])
    choices: dict[tuple[str, str], list[tuple[str, str]]] = {
        (REGIE, FR): [
            (f"Régie {surname} SA", f"regie-{slug}.ch"),
            (f"Gérance {surname} & Cie SA", f"gerance-{slug}.ch"),
            (f"{surname} Immobilier SA", f"{slug}-immobilier.ch"),
            (f"Régie du {region} SA", f"regie-{_ascii_slug(region)}.ch"),
            (f"{surname} & {other} Gérance SA", f"{slug}-{other_slug}.ch"),
        ],
        (REGIE, DE): [
            (f"Immobilien {surname} AG", f"immobilien-{slug}.ch"),
            (f"Liegenschaftsverwaltung {surname} GmbH", f"lv-{slug}.ch"),
            (f"{surname} + {other} Verwaltungen AG", f"{slug}-{other_slug}.ch"),
            (f"Immoverwaltung {region} AG", f"immo-{_ascii_slug(region)}.ch"),
        ],
        (PPE, FR): [(f"PPE {street}", f"regie-{slug}.ch"), (f"PPE Résidence {residence}", f"regie-{slug}.ch")],
        (PPE, DE): [(f"STWEG {street}", f"verwaltung-{slug}.ch"), (f"STWEG Überbauung {residence}", f"immo-{slug}.ch")],
        (INSTITUTION, FR): [
            (f"Commune de {city}", f"{_ascii_slug(city)}.ch"),
            (f"Fondation {residence}", f"fondation-{_ascii_slug(residence)}.ch"),
            (f"Coopérative d'habitation {residence}", f"coop-{_ascii_slug(residence)}.ch"),
            (f"Hôtel {rng.choice(['du Lac', 'Bellevue', 'des Alpes', 'Beau-Rivage'])} SA", f"hotel-{slug}.ch"),
        ],
        (INSTITUTION, DE): [
            (f"Gemeinde {city}", f"{_ascii_slug(city)}.ch"),
            (f"Wohnbaugenossenschaft {residence}", f"wbg-{_ascii_slug(residence)}.ch"),
            (f"Stiftung {residence}", f"stiftung-{_ascii_slug(residence)}.ch"),
            (f"Hotel {rng.choice(['Bären', 'Kreuz', 'Krone', 'Seeblick'])} AG", f"hotel-{slug}.ch"),
        ],
    }
    return rng.choice(choices[(kind, language)])


def _building_name(rng: random.Random, kind: str, language: str, street: str, owner: str) -> str:
    residence = rng.choice(RESIDENCES[language])
    names = {
        (REGIE, FR): [f"Immeuble {street}", f"Résidence {residence}", f"{residence} {rng.choice('ABC')}"],
        (REGIE, DE): [f"MFH {street}", f"Überbauung {residence}", f"Wohnhaus {street}"],
        (PRIVATE, FR): [f"Villa {owner}", f"Maison {owner}", f"Chalet {owner}"],
        (PRIVATE, DE): [f"Einfamilienhaus {owner}", f"Haus {owner}"],
        (INSTITUTION, FR): ["Collège du Centre", "Salle polyvalente", f"EMS {residence}", f"Immeuble {street}"],
        (INSTITUTION, DE): ["Schulhaus Dorf", "Mehrzweckhalle", f"Altersheim {residence}", f"MFH {street}"],
    }
    return rng.choice(names[(kind, language)])


def _client_plan(rng: random.Random, *, used_names: set[str], showcase: bool) -> _ClientPlan:
    kind = REGIE if showcase else _weighted(rng, CLIENT_KIND_WEIGHTS)
    language = _weighted(rng, LANGUAGE_WEIGHTS)
    postal_code, city, area = rng.choice(PLACES[language])
    street = _street(rng, language)
    if kind == PRIVATE:
        owner = _person(rng, language)
        name, domain = f"{owner.first_name} {owner.last_name}", None
    else:
        name, domain = _client_name(rng, kind, language, city, street)
    base_name = name
    if name in used_names:
        name = f"{name} ({city})"
    while name in used_names:
        name = f"{name} {rng.randint(2, 99)}"
    used_names.add(name)

    plan = _ClientPlan(
        client=Client(
            kind=Client.Kind.PERSON if kind == PRIVATE else Client.Kind.COMPANY,
            name=name,
            street=street,
            postal_code=postal_code,
            city=city,
            phone=_phone(rng, area) if kind != PRIVATE or rng.random() < 0.5 else _mobile(rng),
            email=f"info@{domain}" if domain else "",
            language=language,
        ),
        kind=kind,
        language=language,
    )

    if kind == PRIVATE:
        contact = Contact(
            salutation=owner.salutation,
            first_name=owner.first_name,
            last_name=owner.last_name,
            function=_function(rng, language, PRIVATE, owner.salutation),
            phone=plan.client.phone,
            language=language,
        )
        if rng.random() < 0.75:
            contact.email = (
                f"{_ascii_slug(owner.first_name, sep='')}.{_ascii_slug(owner.last_name, sep='')}"
                f"@{rng.choice(PRIVATE_MAIL_DOMAINS)}"
            )
            plan.client.email = contact.email
        plan.contacts.append(contact)
    else:
        count = {REGIE: rng.randint(2, 3), PPE: rng.randint(1, 2), INSTITUTION: rng.randint(1, 2)}[kind]
        for position in range(count):
            # A PPE's first contact is its administrator at a régie, the second the
            # owners' president, who writes from a private address.
            contact_domain = None if kind == PPE and position > 0 else domain
            plan.contacts.append(
                _contact(
                    rng,
                    language=language,
                    where=kind,
                    domain=contact_domain,
                    area=area,
                    with_email=showcase or rng.random() < 0.92,
                    position=position,
                )
            )
    # The one an email from a document goes to first (the régie's manager, the owner).
    first_reachable = next((c for c in plan.contacts if c.email), None)
    if first_reachable is not None:
        first_reachable.is_main = True

    building_count = {
        REGIE: min(10, 1 + int(rng.expovariate(1 / 3))),
        PPE: 1,
        PRIVATE: 1,
        INSTITUTION: rng.randint(1, 4),
    }[kind]
    nearby = [place for place in PLACES[language] if place[2] == area]
    used_building_names: set[str] = set()
    for _ in range(building_count):
        if kind in (PRIVATE, PPE):
            # A house or a condominium is where its owner's address is.
            b_street, b_code, b_city = street, postal_code, city
        else:
            b_street = _street(rng, language)
            b_code, b_city, _area = rng.choice(nearby if rng.random() < 0.7 else PLACES[language])
        if kind == PPE:
            b_name = base_name.removeprefix("PPE ").removeprefix("STWEG ")
            if b_name == street:
                b_name = f"Immeuble {street}" if language == FR else f"MFH {street}"
        else:
            b_name = _building_name(rng, kind, language, b_street, plan.client.name.split()[-1])
        if b_name in used_building_names:
            continue
        used_building_names.add(b_name)
        building = Building(name=b_name, street=b_street, postal_code=b_code, city=b_city)
        plan.buildings.append(building)
        has_caretaker = {REGIE: 0.7, PPE: 0.5, INSTITUTION: 0.4, PRIVATE: 0.0}[kind]
        if showcase or rng.random() < has_caretaker:
            caretaker_domain = domain if domain and rng.random() < 0.5 else None
            plan.building_contacts.append(
                (
                    building,
                    _contact(
                        rng,
                        language=language,
                        where="building",
                        domain=caretaker_domain,
                        area=area,
                        with_email=showcase or rng.random() < 0.7,
                    ),
                )
            )
    return plan


def _clients_create(rng: random.Random, *, count: int) -> list[_ClientPlan]:
    used_names: set[str] = set()
    # The first client always has addresses on its contacts and its buildings' contacts,
    # so that the showcase orders have somebody to write to.
    plans = [_client_plan(rng, used_names=used_names, showcase=index == 0) for index in range(count)]
    with transaction.atomic():
        Client.objects.bulk_create([plan.client for plan in plans], batch_size=500)
        for plan in plans:
            for building in plan.buildings:
                building.client = plan.client
            for contact in plan.contacts:
                contact.client = plan.client
        Building.objects.bulk_create([b for plan in plans for b in plan.buildings], batch_size=500)
        for plan in plans:
            for building, contact in plan.building_contacts:
                contact.building = building
        contacts = [c for plan in plans for c in plan.contacts] + [
            c for plan in plans for _building, c in plan.building_contacts
        ]
        Contact.objects.bulk_create(contacts, batch_size=500)
    return plans


# --- Orders and their documents --------------------------------------------------------

Status = Order.Status
# How an order's status depends on its age in days: recent ones are still open, old ones billed.
STATUS_BY_AGE: list[tuple[int, dict[str, int]]] = [
    (3, {Status.NEW: 70, Status.IN_PROGRESS: 30}),
    (21, {Status.NEW: 15, Status.IN_PROGRESS: 60, Status.COMPLETED: 25}),
    (90, {Status.IN_PROGRESS: 15, Status.COMPLETED: 45, Status.INVOICED: 37, Status.CANCELLED: 3}),
    (10**6, {Status.COMPLETED: 5, Status.INVOICED: 92, Status.CANCELLED: 3}),
]
WORKED_ON = {Status.IN_PROGRESS, Status.COMPLETED, Status.INVOICED}


@dataclass
class _ReportDraft:
    report: WorkReport
    employees: list[Employee]
    lines: list[WorkReportLine]
    materials: list[WorkReportMaterial]


@dataclass
class _OfferDraft:
    offer: Offer
    lines: list[OfferLine]


@dataclass
class _OrderDraft:
    order: Order
    created_at: datetime.datetime
    buildings: list[Building]
    reports: list[_ReportDraft] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    offers: list[_OfferDraft] = field(default_factory=list)


class _OrderGenerator:
    """Draws orders one after the other, in the order of their creation date."""

    def __init__(
        self,
        rng: random.Random,
        *,
        staff: dict[str, Employee],
        clients: list[_ClientPlan],
        photos: list[PoolPhoto],
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.clients = clients
        self.client_weights = [plan.order_weight for plan in clients]
        self.showcase_clients = [plan for plan in clients if plan.has_emails_everywhere]
        self.photos = photos
        self.rotated_photos = [photo for photo in photos if photo.orientation != 1]
        self.creator = staff.get("dispatcher")
        self.coordinator = staff.get("coordinator")
        self.apprentices = [e for m in STAFF if m.is_technician and not m.trades and (e := staff.get(m.username))]
        self.technicians: dict[str, list[tuple[StaffMember, Employee]]] = {
            trade: [
                (m, e)
                for m in STAFF
                if m.is_technician and trade in m.trades and (e := staff.get(m.username)) is not None
            ]
            for trade in ALL_TRADES
        }
        self.order_sequences: dict[int, int] = {}
        self.offer_sequences: dict[int, int] = {}

    def order_number(self, year: int) -> str:
        if year not in self.order_sequences:
            self.order_sequences[year] = int(order_number_next(year=year).split("-")[-1])
        sequence = self.order_sequences[year]
        self.order_sequences[year] += 1
        return f"{year}-{sequence:05d}"

    def offer_number(self, year: int) -> str:
        if year not in self.offer_sequences:
            prefix = f"OF-{year}-"
            last = (
                Offer.objects.filter(number__startswith=prefix)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            self.offer_sequences[year] = int(last.removeprefix(prefix)) + 1 if last else 1
        sequence = self.offer_sequences[year]
        self.offer_sequences[year] += 1
        return f"OF-{year}-{sequence:05d}"

    def responsible_for(self, trade: str, language: str) -> Employee | None:
        rng = self.rng
        if self.coordinator is not None and rng.random() < 0.05:
            return self.coordinator
        candidates = self.technicians[trade]
        if not candidates:
            return None
        weights = [3 if language in member.languages else 1 for member, _employee in candidates]
        return rng.choices(candidates, weights=weights)[0][1]

    def draft(self, created_day: datetime.date, *, showcase_for: Employee | None = None) -> _OrderDraft:
        rng = self.rng
        if showcase_for is not None and self.showcase_clients:
            plan = rng.choice(self.showcase_clients)
        else:
            plan = rng.choices(self.clients, weights=self.client_weights)[0]
        language = plan.language
        trade = _weighted(rng, TRADE_WEIGHTS)
        if showcase_for is not None:
            trade = rng.choice([t for t in ALL_TRADES if any(e == showcase_for for _m, e in self.technicians[t])])
        texts = TRADES[trade][language]

        title = rng.choice(texts.titles)
        if rng.random() < 0.35:
            place = rng.choice(PLACES_IN_BUILDING[language])
            title = f"{title} – {place.format(n=f'{rng.randint(1, 6)}.{rng.randint(1, 4)}')}"
        age = (DEMO_TODAY - created_day).days
        status = _weighted(rng, next(weights for limit, weights in STATUS_BY_AGE if age <= limit))
        if showcase_for is not None:
            status = rng.choice([Status.IN_PROGRESS, Status.COMPLETED])
        responsible = showcase_for or self.responsible_for(trade, language)
        if status == Status.NEW and rng.random() < 0.25:
            responsible = None
        if responsible is None and status in WORKED_ON:
            status = Status.NEW

        start_date = created_day + datetime.timedelta(days=rng.randint(0, 10))
        end_date = None
        if status != Status.NEW:
            start_date = min(start_date, DEMO_TODAY)
        if status in (Status.COMPLETED, Status.INVOICED):
            end_date = min(start_date + datetime.timedelta(days=rng.randint(0, 8)), DEMO_TODAY)
        elif status == Status.IN_PROGRESS and rng.random() < 0.5:
            end_date = start_date + datetime.timedelta(days=rng.randint(2, 20))

        building_count = min(len(plan.buildings), _weighted(rng, {1: 70, 2: 22, 3: 8}))
        buildings = rng.sample(plan.buildings, building_count)
        if showcase_for is not None and not set(buildings) & set(plan.buildings_with_email):
            buildings[0] = rng.choice(plan.buildings_with_email)
        order = Order(
            number=self.order_number(created_day.year),
            title=title,
            description=rng.choice(ORDER_NOTES[language]) if rng.random() < 0.3 else "",
            client=plan.client,
            responsible=responsible,
            status=status,
            start_date=start_date,
            end_date=end_date,
        )
        draft = _OrderDraft(
            order=order,
            created_at=_at(created_day, rng.randint(7, 17), rng.randint(0, 59)),
            buildings=buildings,
        )

        if status in WORKED_ON and responsible is not None:
            if showcase_for is not None:
                report_count = 2
            elif status == Status.IN_PROGRESS:
                report_count = _weighted(rng, {0: 40, 1: 60})
            else:
                report_count = _weighted(rng, {1: 65, 2: 28, 3: 7})
            last_day = end_date if end_date and end_date <= DEMO_TODAY else DEMO_TODAY
            for _ in range(report_count):
                draft.reports.append(self.report(order, texts, language, responsible, trade, start_date, last_day))
            if showcase_for is not None:
                # Two reports of the same day: the composer and the order page must tell them apart.
                _same_day(draft.reports)
            if status == Status.INVOICED or (status == Status.COMPLETED and rng.random() < 0.4 and not showcase_for):
                reported_day = min(last_day + datetime.timedelta(days=rng.randint(1, 5)), DEMO_TODAY)
                order.reported_at = _at(reported_day, 16, rng.randint(0, 59))
                for report_draft in draft.reports:
                    report_draft.report.reported_at = order.reported_at
            if draft.reports and (showcase_for is not None or rng.random() < 0.45):
                draft.photos = self.photos_for(order, texts, draft, count=4 if showcase_for else rng.randint(1, 6))
        if showcase_for is not None or rng.random() < 0.22:
            offer_count = 1 if showcase_for is not None else _weighted(rng, {1: 90, 2: 10})
            for _ in range(offer_count):
                draft.offers.append(self.offer(order, texts, language, created_day, special=showcase_for is not None))
        return draft

    def report(
        self,
        order: Order,
        texts: TradeTexts,
        language: str,
        responsible: Employee,
        trade: str,
        first_day: datetime.date,
        last_day: datetime.date,
    ) -> _ReportDraft:
        rng = self.rng
        span = max(0, (last_day - first_day).days)
        day = first_day + datetime.timedelta(days=rng.randint(0, span))
        employees = [responsible]
        if rng.random() < 0.35:
            colleagues = [e for _m, e in self.technicians[trade] if e != responsible] + self.apprentices
            if colleagues:
                employees.append(rng.choice(colleagues))
        report = WorkReport(
            order=order,
            date=day,
            remarks=rng.choice(REPORT_REMARKS[language]) if rng.random() < 0.6 else "",
        )
        lines = [
            WorkReportLine(
                report=report,
                date=day,
                employee=rng.choice(employees),
                hours=Decimal(rng.randint(2, 32)) / 4,
                description=description,
            )
            for description in rng.sample(texts.lines, rng.randint(1, 4))
        ]
        materials = []
        for description, unit in rng.sample(texts.materials, rng.randint(0, min(4, len(texts.materials)))):
            if unit == "m":
                quantity = Decimal(rng.randint(2, 50)) / 2
            elif unit == "l":
                quantity = Decimal(rng.randint(1, 20))
            else:
                quantity = Decimal(rng.randint(1, 4))
            materials.append(WorkReportMaterial(report=report, description=description, quantity=quantity, unit=unit))
        return _ReportDraft(report=report, employees=employees, lines=lines, materials=materials)

    def photos_for(self, order: Order, texts: TradeTexts, draft: _OrderDraft, *, count: int) -> list[Photo]:
        rng = self.rng
        photos = []
        for position in range(count):
            report_draft = rng.choice(draft.reports)
            # Every order with photos has at least one stored sideways.
            pool = self.rotated_photos if position == 0 and self.rotated_photos else self.photos
            photos.append(
                Photo(
                    order=order,
                    building=rng.choice(draft.buildings) if draft.buildings else None,
                    image=rng.choice(pool).name,
                    caption=rng.choice(texts.captions),
                    taken_at=_at(report_draft.report.date, rng.randint(8, 16), rng.randint(0, 59)),
                    taken_by=rng.choice(report_draft.employees),
                )
            )
        return photos

    def offer(
        self, order: Order, texts: TradeTexts, language: str, created_day: datetime.date, *, special: bool
    ) -> _OfferDraft:
        rng = self.rng
        day = min(created_day + datetime.timedelta(days=rng.randint(0, 5)), DEMO_TODAY)
        if special and int(order.number[-1]) % 2:
            # Every other showcase order's offer ran out a few days ago: the composer warns.
            day = min(day, DEMO_TODAY - datetime.timedelta(days=34))
        offer = Offer(
            order=order,
            number=self.offer_number(day.year),
            date=day,
            valid_until=day + datetime.timedelta(days=30),
            terms=OFFER_TERMS[language],
        )
        common = OFFER_COMMON[language]
        items: list[tuple[str, str, Decimal, Decimal, str]] = [
            (texts.labour, "h", Decimal(rng.randint(4, 48)) / 2, _money(rng, 96, 118), OfferLine.VatRate.STANDARD)
        ]
        for description, unit, low, high in rng.sample(
            texts.offer_items, rng.randint(1, min(3, len(texts.offer_items)))
        ):
            quantity = Decimal(rng.randint(5, 60)) if unit == "m" else Decimal(rng.randint(1, 6))
            if unit in ("forfait", "pauschal", "jeu", "Satz"):
                quantity = Decimal(1)
            items.append((description, unit, quantity, _money(rng, low, high), OfferLine.VatRate.STANDARD))
        items.append((*common["travel"], Decimal(1), _money(rng, 65, 95), OfferLine.VatRate.STANDARD))
        if rng.random() < 0.5:
            items.append((*common["small"], Decimal(1), _money(rng, 35, 90), OfferLine.VatRate.STANDARD))
        if special or rng.random() < 0.15:
            description, unit, low, high, rate = rng.choice(OFFER_SPECIAL_ITEMS[language])
            items.append((description, unit, Decimal(1), _money(rng, low, high), rate))
        lines = [
            OfferLine(
                offer=offer,
                position=position,
                description=description,
                quantity=quantity,
                unit=unit,
                unit_price=unit_price,
                vat_rate=rate,
            )
            for position, (description, unit, quantity, unit_price, rate) in enumerate(items, start=1)
        ]
        return _OfferDraft(offer=offer, lines=lines)


def _same_day(reports: list[_ReportDraft]) -> None:
    for later in reports[1:]:
        later.report.date = reports[0].report.date
        for line in later.lines:
            line.date = reports[0].report.date


def _created_at_put_back(model: type[Order] | type[OrderEvent], rows: list[tuple[int, datetime.datetime]]) -> None:
    """Sets the drafted creation times, which bulk_create replaced with the current time.

    created_at is auto_now_add. One UPDATE with a CASE per chunk of rows: bulk_update
    would do the same but builds an ORM expression per row, a third of the seeding time.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        cases = " ".join(["WHEN %s THEN %s"] * len(chunk))
        ids = ", ".join(["%s"] * len(chunk))
        params: list[Any] = []
        for pk, created_at in chunk:
            params += [pk, connection.ops.adapt_datetimefield_value(created_at)]
        params += [pk for pk, _created_at in chunk]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET created_at = CASE id {cases} END WHERE id IN ({ids})", params)  # noqa: S608


def _orders_write(drafts: list[_OrderDraft], *, creator: Employee | None) -> None:
    """Writes a batch of drafted orders and everything that hangs from them, in one transaction."""
    orders = [draft.order for draft in drafts]
    with transaction.atomic():
        Order.objects.bulk_create(orders)
        _created_at_put_back(Order, [(d.order.pk, d.created_at) for d in drafts])

        order_buildings = Order.buildings.through
        order_buildings.objects.bulk_create(
            [order_buildings(order_id=d.order.pk, building_id=b.pk) for d in drafts for b in d.buildings]
        )
        # bulk_create sends no signal: the search's copy of the orders' words is written here.
        order_search_text_refresh(order_ids=[order.pk for order in orders])
        events = [OrderEvent(order=d.order, kind=OrderEvent.Kind.CREATED, actor=creator) for d in drafts]
        OrderEvent.objects.bulk_create(events)
        _created_at_put_back(OrderEvent, [(e.pk, d.created_at) for e, d in zip(events, drafts, strict=True)])

        reports = [r for d in drafts for r in d.reports]
        WorkReport.objects.bulk_create([r.report for r in reports])
        report_employees = WorkReport.employees.through
        report_employees.objects.bulk_create(
            [report_employees(workreport_id=r.report.pk, employee_id=e.pk) for r in reports for e in r.employees]
        )
        WorkReportLine.objects.bulk_create([line for r in reports for line in r.lines])
        WorkReportMaterial.objects.bulk_create([m for r in reports for m in r.materials])
        Photo.objects.bulk_create([p for d in drafts for p in d.photos])
        offers = [o for d in drafts for o in d.offers]
        Offer.objects.bulk_create([o.offer for o in offers])
        OfferLine.objects.bulk_create([line for o in offers for line in o.lines])


# --- The whole demo --------------------------------------------------------------------


@dataclass
class DemoSeedResult:
    orders: int = 0
    clients: int = 0
    buildings: int = 0
    contacts: int = 0
    work_reports: int = 0
    photos: int = 0
    offers: int = 0
    accounts_created: list[str] = field(default_factory=list)


def demo_seed(*, orders: int, seed: int, on_progress: Callable[[int], object] | None = None) -> DemoSeedResult:
    """Adds the demo company, accounts, clients and `orders` orders.

    The same seed on the same database gives the same data. The orders already there
    are part of the random seed, so that a second run adds other clients rather than
    twins of the first ones.
    """
    existing_orders = Order.objects.count()
    rng = random.Random(f"{seed}:{existing_orders}")  # noqa: S311 -- demo data, not secrets
    demo_company_ensure()
    staff, accounts_created = demo_staff_ensure()
    photos = demo_photo_pool_ensure()
    result = DemoSeedResult(accounts_created=accounts_created)
    if orders <= 0:
        return result

    clients = _clients_create(rng, count=max(15, orders // 40))
    result.clients = len(clients)
    result.buildings = sum(len(plan.buildings) for plan in clients)
    result.contacts = sum(len(plan.contacts) + len(plan.building_contacts) for plan in clients)

    # About ten orders a day, over four months at least and ten years at most, so that no
    # year holds more numbers than its five digits allow.
    span_days = max(120, min(3650, orders // 10))
    first_day = DEMO_TODAY - datetime.timedelta(days=span_days - 1)
    created_days = sorted(first_day + datetime.timedelta(days=rng.randrange(span_days)) for _ in range(orders))
    # The showcase orders are among the newest, so that they head the order list.
    window = range(max(0, orders - 40), orders)
    showcase_owners = [staff[u] for u, count in SHOWCASE.items() if u in staff for _ in range(count)]
    showcase = dict(
        zip(sorted(rng.sample(window, min(len(window), len(showcase_owners)))), showcase_owners, strict=False)
    )

    generator = _OrderGenerator(rng, staff=staff, clients=clients, photos=photos)
    for start in range(0, orders, ORDERS_PER_BATCH):
        indices = range(start, min(start + ORDERS_PER_BATCH, orders))
        drafts = [generator.draft(created_days[i], showcase_for=showcase.get(i)) for i in indices]
        _orders_write(drafts, creator=generator.creator)
        result.orders += len(drafts)
        result.work_reports += sum(len(d.reports) for d in drafts)
        result.photos += sum(len(d.photos) for d in drafts)
        result.offers += sum(len(d.offers) for d in drafts)
        if on_progress is not None:
            on_progress(len(drafts))
    return result
