"""The email templates a new installation starts with: one per type and language.

Used by a data migration; the company edits or replaces them in the backoffice.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

TYPES = [
    # code, name, position, attachment kind
    ("work_report", "Envoyer le rapport de travail", 10, "work_report"),
    ("photo_documentation", "Envoyer la documentation photo", 20, "photo_documentation"),
    ("offer", "Envoyer l'offre", 30, "offer"),
    ("free", "eMail libre", 90, ""),
]

# The built-in types' names in the interface's language (TYPES above writes them in French,
# into the database, where the company may rename them).
TYPE_LABELS = {
    "work_report": _("Envoyer le rapport de travail"),
    "photo_documentation": _("Envoyer la documentation photo"),
    "offer": _("Envoyer l'offre"),
    "free": _("eMail libre"),
}
_BUILT_IN_NAMES = {code: name for code, name, _position, _kind in TYPES}


def type_label(*, code: str, name: str) -> str:
    """What the interface calls a type: translated while it keeps its built-in name, else as renamed."""
    if code in TYPE_LABELS and name == _BUILT_IN_NAMES[code]:
        return str(TYPE_LABELS[code])
    return name


_SUBJECT_PLACE = "{{ building_name or order_title }}"

TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    "work_report": {
        "fr": {
            "name": "Rapport de travail",
            "subject": f"Rapport de travail – commande {{{{ order_number }}}} – {_SUBJECT_PLACE}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "Vous trouverez ci-joint le rapport de travail du {{ work_report_date }} "
            "concernant « {{ order_title }} ».",
            "body": "Nous restons volontiers à votre disposition pour toute question.",
            "closing": "Meilleures salutations",
        },
        "de": {
            "name": "Arbeitsrapport",
            "subject": f"Arbeitsrapport – Auftrag {{{{ order_number }}}} – {_SUBJECT_PLACE}",
            "greeting": "{{ formal_greeting }}",
            "motivation": "Im Anhang erhalten Sie den Arbeitsrapport vom {{ work_report_date }} "
            "zum Auftrag «{{ order_title }}».",
            "body": "Für Fragen stehen wir Ihnen gerne zur Verfügung.",
            "closing": "Freundliche Grüsse",
        },
        "en": {
            "name": "Work report",
            "subject": f"Work report – order {{{{ order_number }}}} – {_SUBJECT_PLACE}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "Please find attached the work report of {{ work_report_date }} for “{{ order_title }}”.",
            "body": "Please do not hesitate to contact us with any questions.",
            "closing": "Kind regards",
        },
    },
    "photo_documentation": {
        "fr": {
            "name": "Documentation photo",
            "subject": f"Documentation photo – commande {{{{ order_number }}}} – {_SUBJECT_PLACE}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "Vous trouverez ci-joint la documentation photo ({{ photo_count }} photos) "
            "des travaux « {{ order_title }} ».",
            "body": "Nous restons volontiers à votre disposition pour toute question.",
            "closing": "Meilleures salutations",
        },
        "de": {
            "name": "Fotodokumentation",
            "subject": f"Fotodokumentation – Auftrag {{{{ order_number }}}} – {_SUBJECT_PLACE}",
            "greeting": "{{ formal_greeting }}",
            "motivation": "Im Anhang finden Sie die Fotodokumentation ({{ photo_count }} Fotos) "
            "zu den Arbeiten «{{ order_title }}».",
            "body": "Für Fragen stehen wir Ihnen gerne zur Verfügung.",
            "closing": "Freundliche Grüsse",
        },
        "en": {
            "name": "Photo documentation",
            "subject": f"Photo documentation – order {{{{ order_number }}}} – {_SUBJECT_PLACE}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "Please find attached the photo documentation ({{ photo_count }} photos) "
            "of the work “{{ order_title }}”.",
            "body": "Please do not hesitate to contact us with any questions.",
            "closing": "Kind regards",
        },
    },
    "offer": {
        "fr": {
            "name": "Offre",
            "subject": "Offre {{ offer_number }} – {{ order_title }}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "Nous vous remercions de votre demande et vous transmettons ci-joint notre offre "
            "{{ offer_number }} d'un montant de CHF {{ offer_total }} TTC, valable jusqu'au {{ offer_valid_until }}.",
            "body": "Nous nous réjouissons de votre commande et restons à votre disposition pour toute question.",
            "closing": "Meilleures salutations",
        },
        "de": {
            "name": "Offerte",
            "subject": "Offerte {{ offer_number }} – {{ order_title }}",
            "greeting": "{{ formal_greeting }}",
            "motivation": "Besten Dank für Ihre Anfrage. Im Anhang erhalten Sie unsere Offerte {{ offer_number }} "
            "über CHF {{ offer_total }} inkl. MWST, gültig bis {{ offer_valid_until }}.",
            "body": "Wir freuen uns auf Ihren Auftrag und stehen Ihnen für Fragen gerne zur Verfügung.",
            "closing": "Freundliche Grüsse",
        },
        "en": {
            "name": "Offer",
            "subject": "Offer {{ offer_number }} – {{ order_title }}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "Thank you for your enquiry. Please find attached our offer {{ offer_number }} "
            "for CHF {{ offer_total }} incl. VAT, valid until {{ offer_valid_until }}.",
            "body": "We look forward to your order and are happy to answer any questions.",
            "closing": "Kind regards",
        },
    },
    "free": {
        "fr": {
            "name": "eMail libre",
            "subject": "Commande {{ order_number }} – {{ order_title }}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "",
            "body": "",
            "closing": "Meilleures salutations",
        },
        "de": {
            "name": "Freie E-Mail",
            "subject": "Auftrag {{ order_number }} – {{ order_title }}",
            "greeting": "{{ formal_greeting }}",
            "motivation": "",
            "body": "",
            "closing": "Freundliche Grüsse",
        },
        "en": {
            "name": "Free email",
            "subject": "Order {{ order_number }} – {{ order_title }}",
            "greeting": "{{ formal_greeting }},",
            "motivation": "",
            "body": "",
            "closing": "Kind regards",
        },
    },
}


def default_templates_install(apps: Any, schema_editor: Any = None) -> None:
    """Creates the built-in types and their default templates where missing."""
    template_type_model = apps.get_model("emails", "EmailTemplateType")
    template_model = apps.get_model("emails", "EmailTemplate")
    for code, name, position, attachment_kind in TYPES:
        template_type, _ = template_type_model.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        for language, parts in TEMPLATES[code].items():
            if template_model.objects.filter(type=template_type, language=language, is_default=True).exists():
                continue
            template_model.objects.create(
                type=template_type, language=language, attachment_kind=attachment_kind, is_default=True, **parts
            )
