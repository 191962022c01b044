from django.db.models import QuerySet

from organisatrice.people.models import language_name

from ..models import EmailTemplate
from .defaults import type_label


def email_templates_active(*, type_code: str | None = None, language: str | None = None) -> QuerySet[EmailTemplate]:
    templates = EmailTemplate.objects.filter(is_active=True).select_related("type")
    if type_code:
        templates = templates.filter(type__code=type_code)
    if language:
        templates = templates.filter(language=language)
    return templates.order_by("type__position", "type__name", "language", "-is_default", "name")


def email_template_for(*, type_code: str, language: str) -> EmailTemplate | None:
    """The default template of a type in a language; French, then any, when missing."""
    templates = email_templates_active(type_code=type_code)
    for candidates in (templates.filter(language=language), templates.filter(language="fr"), templates):
        template = candidates.order_by("-is_default", "name").first()
        if template is not None:
            return template
    return None


def email_template_label(template: EmailTemplate) -> str:
    """A template in a menu, in the interface's language: "Envoyer l'offre — Offerte (allemand)"."""
    kind = type_label(code=template.type.code, name=template.type.name)
    return f"{kind} — {template.name} ({language_name(template.language)})"
