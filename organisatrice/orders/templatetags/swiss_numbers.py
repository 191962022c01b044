"""The pages write numbers as the PDFs and the emails do: {{ total|chf }}, {{ rate|percent }},
{{ attachment.size|filesize }}.

See organisatrice/swiss_numbers.py for the convention.
"""

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from organisatrice.swiss_numbers import amount_format, chf_format, filesize_format, percent_format, quantity_format

register = template.Library()


def _number_filter(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    def number_filter(value: Any) -> str:
        # Nothing where there is no number, and a value that is not one as it is, rather than a failed page.
        if value is None or value == "":
            return ""
        try:
            # Digits, apostrophes, CHF and %: nothing HTML would read, and ' stays ' in the page.
            return mark_safe(format_value(value))
        except (InvalidOperation, TypeError, ValueError):
            return conditional_escape(value)

    return number_filter


register.filter("chf", _number_filter(chf_format))
register.filter("amount", _number_filter(amount_format))
register.filter("quantity", _number_filter(quantity_format))
register.filter("percent", _number_filter(percent_format))
register.filter("filesize", _number_filter(lambda size: filesize_format(int(size))))
