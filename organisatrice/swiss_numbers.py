"""How numbers are written everywhere: the pages, the email placeholders and the PDFs.

One convention, the same in French, German and English, because it is Swiss practice for
francs in every language region (invoices, offers, price lists, the QR-bill): an
apostrophe between thousands, a point before the decimals, the currency code before the
amount, a space before a percent sign. So CHF 1'763.95, 7.5 h, TVA 8.1 %, MWST 8.1 %.
It is CLDR's de_CH, it_CH and en_CH (CLDR's fr_CH would be 1'763,95 CHF). Babel is not
used to write it: Babel 2.19 strips text between two single quotes from its output, so the
two apostrophes of de_CH's 1'234'567.50 come out as 1234567.50. Amounts are rounded half
up, as a commercial document rounds.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

THOUSANDS_SEPARATOR = "'"
CURRENCY = "CHF"
# A quantity or a rate is written with the decimals it has, up to this many.
MAX_PLACES = 4


def _decimal(value: Decimal | int | float | str) -> Decimal:
    # A float goes through its shortest text first: Decimal(8.1) would be 8.0999999….
    return value if isinstance(value, Decimal) else Decimal(str(value))


def amount_format(value: Decimal | int | float | str, *, places: int = 2) -> str:
    """1'234.50: an amount with a fixed number of decimals."""
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}".replace(",", THOUSANDS_SEPARATOR)


def quantity_format(value: Decimal | int | float | str) -> str:
    """A quantity without useless zeros: 1, 2.5, 0.25, 1'200."""
    exponent = _decimal(value).normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return amount_format(value, places=min(places, MAX_PLACES))


def chf_format(value: Decimal | int | float | str) -> str:
    """CHF 1'763.95, with a no-break space so that the code never ends a line alone."""
    return f"{CURRENCY}\u00a0{amount_format(value)}"


def percent_format(rate: Decimal | int | float | str) -> str:
    """8.1 % from 8.1 (a rate in percent, as the VAT rates are stored)."""
    return f"{quantity_format(rate)}\u00a0%"


def filesize_format(size: int) -> str:
    """264.2 Ko, 15 Mo, 980 octets: one decimal at most, in units of 1024 (the attachment limit
    typed in Mo is 1024 × 1024 bytes); the unit in the interface's language (KB, MB in German)."""
    if size < 1024:
        return _("%(size)s octets") % {"size": amount_format(size, places=0)}
    units = [_("%(size)s Ko"), _("%(size)s Mo"), _("%(size)s Go")]
    power = 1
    while power < len(units) and size >= 1024 ** (power + 1):
        power += 1
    value = (Decimal(size) / 1024**power).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return units[power - 1] % {"size": quantity_format(value)}
