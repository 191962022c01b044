"""Domain names and DKIM selectors as the DNS takes them: labels of letters, digits and hyphens."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain_normalise(value: str) -> str:
    """Lower case, no final dot, an internationalised name in its ASCII (xn--) form."""
    value = value.strip().rstrip(".").lower()
    try:
        return value.encode("idna").decode("ascii") if not value.isascii() else value
    except UnicodeError:
        return value


def _labels_valid(value: str) -> bool:
    return bool(value) and len(value) <= 253 and all(_LABEL.match(label) for label in value.split("."))


def domain_validate(value: str) -> None:
    if not _labels_valid(value) or "." not in value:
        raise ValidationError(
            _("« %(value)s » n'est pas un nom de domaine (par exemple « dupont-sa.ch »).") % {"value": value}
        )


def selector_validate(value: str) -> None:
    if not _labels_valid(value) or len(value) > 63:
        raise ValidationError(
            _("« %(value)s » n'est pas un sélecteur DKIM : lettres, chiffres et tirets (par exemple « org2026 »).")
            % {"value": value}
        )
