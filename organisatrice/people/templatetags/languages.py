from django import template

from organisatrice.people.models import language_name as name_of_language

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """{{ client.language|language_name }}: "allemand" in French, "Deutsch" in German."""
    return name_of_language(code)
