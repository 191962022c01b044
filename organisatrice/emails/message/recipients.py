"""Email addresses as the composer, the message and the archive handle them."""

import unicodedata
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def has_line_break(value: str) -> bool:
    # Any of these would end a header line and let text smuggle in another header.
    return any(c in value for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def has_control_character(value: str) -> bool:
    """NUL, escape and the other controls but the tab, which has no place in a header nor
    in the database (PostgreSQL refuses NUL in text)."""
    return any(unicodedata.category(c) == "Cc" and c != "\t" for c in value)


def recipient_validate(*, name: str, email: str) -> Recipient:
    name = name.strip()
    email = email.strip()
    if has_line_break(name) or has_line_break(email):
        raise ValidationError(_("Un nom ou une adresse ne peut pas contenir de saut de ligne."))
    if has_control_character(name) or has_control_character(email):
        raise ValidationError(
            _("« %(entry)s » contient un caractère non autorisé.")
            % {"entry": "".join(c for c in f"{name} <{email}>" if unicodedata.category(c) != "Cc")}
        )
    if not email:
        raise ValidationError(_("Adresse eMail manquante."))
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("« %(email)s » n'est pas une adresse eMail valide.") % {"email": email}) from None
    return Recipient(name=name, email=email)


def recipients_parse(text: str) -> tuple[list[Recipient], list[str]]:
    """Addresses typed by hand, separated by commas, semicolons or new lines.

    Returns the valid recipients and one error message per invalid entry, so that the
    valid ones are kept while the user corrects the rest.
    """
    recipients: list[Recipient] = []
    errors: list[str] = []
    entries = [e.strip() for e in text.replace(";", ",").replace("\n", ",").replace("\r", ",").split(",")]
    for entry in entries:
        if not entry:
            continue
        parsed = getaddresses([entry])
        name, address = parsed[0] if len(parsed) == 1 else ("", entry)
        if "@" not in address:
            errors.append(_("« %(entry)s » n'est pas une adresse eMail valide.") % {"entry": entry})
            continue
        try:
            recipients.append(recipient_validate(name=name, email=address))
        except ValidationError as error:
            errors.extend(error.messages)
    return recipients, errors


def recipients_from_json(value: Any) -> list[Recipient]:
    return [Recipient(name=item.get("name", ""), email=item["email"]) for item in value or []]


def recipients_to_json(recipients: list[Recipient]) -> list[dict[str, str]]:
    return [r.as_dict() for r in recipients]


def recipients_dedupe(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    unique = []
    for recipient in recipients:
        key = recipient.email.lower()
        if key not in seen:
            seen.add(key)
            unique.append(recipient)
    return unique
