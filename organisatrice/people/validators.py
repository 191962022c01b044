import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def single_line_validate(value: str) -> None:
    """Refuses line breaks and control characters: names go into email headers and subjects.

    Unicode controls (NUL, CR, LF, tab, escape, NEL…) and the line and paragraph
    separators; format characters such as the zero-width joiner some names need are kept.
    """
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ValidationError(
            _("Ce texte contient un caractère non autorisé (saut de ligne ou caractère de contrôle)."),
            code="control_character",
        )
