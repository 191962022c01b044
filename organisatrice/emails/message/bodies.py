"""Turns the parts of an email into its text/plain and text/html bodies.

Both bodies carry the same content. User text is escaped before it enters the HTML;
paragraphs and line breaks are kept.
"""

from dataclasses import dataclass

from django.utils.html import escape, urlize
from django.utils.translation import gettext as _
from django.utils.translation import override

from organisatrice.people.models import CompanySettings, Employee

from . import styles
from .intent import InlineImage


@dataclass(frozen=True)
class EmailParts:
    greeting: str
    motivation: str
    body: str
    closing: str
    signature: str

    def in_order(self) -> list[str]:
        return [self.greeting, self.motivation, self.body, self.closing, self.signature]


def signature_default(*, employee: Employee, company: CompanySettings, language: str) -> str:
    """Name, function, company, address, phone and website, one per line."""
    with override(language):
        phone = employee.phone or company.phone
        lines = [
            employee.full_name,
            employee.function,
            company.name,
            company.address_line,
            _("Tél. %(phone)s") % {"phone": phone} if phone else "",
            employee.email,
            company.website,
        ]
    return "\n".join(line for line in lines if line.strip())


def sender_name(*, employee: Employee, company: CompanySettings) -> str:
    """The display name of From: the company's pattern with the employee's and company's names."""
    # Plain replacement, not str.format: the pattern is edited in the backoffice and
    # must not reach into objects.
    name = (company.sender_name_format or "{employee}").replace("{employee}", employee.full_name)
    name = name.replace("{company}", company.name)
    return " ".join(name.split())


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"))


def body_text(parts: EmailParts) -> str:
    blocks = [_normalise(part) for part in parts.in_order()]
    blocks = [block for block in blocks if block]
    return "\n\n".join(blocks) + "\n"


def _paragraphs_html(text: str) -> str:
    paragraphs = [p for p in _normalise(text).split("\n\n") if p.strip()]
    return "".join(
        f'<p style="{styles.PARAGRAPH}">' + "<br>\n".join(urlize(escape(line)) for line in p.split("\n")) + "</p>\n"
        for p in paragraphs
    )


def _logo_html(logo: InlineImage) -> str:
    # Width and height as attributes: no style to allow, and the layout holds while images are blocked.
    return (
        f'<p style="{styles.PARAGRAPH}"><img src="{escape(logo.src)}" alt="{escape(logo.alt)}" '
        f'width="{logo.width}" height="{logo.height}" border="0"></p>\n'
    )


def body_html(parts: EmailParts, *, language: str, logo: InlineImage | None = None) -> str:
    """The HTML body: inline styles only, and no resource from outside the message (the logo is
    a `cid:` part of it), so that it shows the same with remote images blocked."""
    content = "".join(_paragraphs_html(part) for part in [parts.greeting, parts.motivation, parts.body, parts.closing])
    signature = _paragraphs_html(parts.signature) + (_logo_html(logo) if logo else "")
    if signature:
        signature = f'<div style="{styles.SIGNATURE}">{signature}</div>\n'
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head><meta charset="utf-8"></head>\n'
        f'<body style="{styles.BODY}">\n'
        f"{content}{signature}</body>\n</html>\n"
    )
