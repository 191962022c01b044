"""File names for attachments: built from a per-kind pattern, or typed by a person, and
always cleaned so that every mail client and operating system can store them."""

import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .kinds import JPEG, PDF, PNG, DocumentKind

MAX_FILENAME_LENGTH = 120
# Most file systems store at most 255 bytes per name; 120 characters of emoji would not fit.
MAX_FILENAME_BYTES = 255
EMPTY_NAME = "document"

FILENAME_PLACEHOLDERS: dict[str, Promise] = {
    "order_number": _("numéro de la commande (2026-00042)"),
    "title": _("titre de la commande"),
    "client": _("nom du client"),
    "building": _("bâtiment(s) de la commande, ou de la photo"),
    "document_type": _("type de document, dans la langue du destinataire (Rapport de travail, Offre…)"),
    "date": _("date du document : du rapport, de l'offre, de la photo (AAAA-MM-JJ)"),
    "today": _("date du jour (AAAA-MM-JJ)"),
    "offer_number": _("numéro de l'offre (vide pour les autres documents)"),
    "caption": _("légende de la photo (vide pour les autres documents)"),
}

DEFAULT_FILENAME_PATTERNS: dict[str, str] = {
    DocumentKind.WORK_REPORT: "{order_number}_{document_type}_{building}_{date}",
    DocumentKind.PHOTO_DOCUMENTATION: "{order_number}_{document_type}_{building}_{date}",
    DocumentKind.OFFER: "{order_number}_{document_type}_{offer_number}_{date}",
    DocumentKind.PHOTOS: "{order_number}_{document_type}_{caption}_{date}",
}

# What the backoffice shows as an example of each pattern.
FILENAME_SAMPLE_VALUES: dict[str, str] = {
    "order_number": "2026-00042",
    "title": "Remplacement de la pompe",
    "client": "Gérance Les Tilleuls SA",
    "building": "Les Érables",
    "document_type": "Rapport de travail",
    "date": "2026-11-28",
    "today": "2026-11-29",
    "offer_number": "OF-2026-0007",
    "caption": "Nouvelle pompe",
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
# Characters Windows refuses in names; macOS shows ":" as "/".
_RESERVED_CHARACTERS = re.compile(r'[<>:"|?*]')
_PATH_SEPARATORS = re.compile(r"[/\\]")
_WHITESPACE = re.compile(r"\s+")
_REPEATED_WHITESPACE = re.compile(r"\s{2,}")
# Windows drops trailing dots and spaces; a leading dot hides a file on Unix.
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
_WINDOWS_DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
# The first extension is the one given to a file that has none or a wrong one.
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG: (".png",),
}


@dataclass(frozen=True)
class CleanedFilename:
    name: str
    # Why the name differs from what was asked, one sentence per change, for the user.
    changes: list[str] = field(default_factory=list)


def extensions_for(content_type: str) -> tuple[str, ...]:
    """The extensions that fit a content type, the preferred first; empty when any will do."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _EXTENSIONS:
        return _EXTENSIONS[media_type]
    if media_type in ("", "application/octet-stream"):
        return ()
    guessed = mimetypes.guess_all_extensions(media_type, strict=False)
    preferred = mimetypes.guess_extension(media_type, strict=False)
    if preferred:
        guessed = [preferred, *(g for g in guessed if g != preferred)]
    return tuple(guessed)


def _is_invisible(character: str) -> bool:
    # Unicode "other" categories: controls, format characters (such as the right-to-left
    # override that can disguise an extension), surrogates, private use, unassigned.
    return unicodedata.category(character).startswith("C")


def _is_invisible_or_break(character: str) -> bool:
    return _is_invisible(character) or unicodedata.category(character) in ("Zl", "Zp")


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(suffix):
        return stem, "." + suffix
    return name, ""


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", errors="replace"))


def _shorten(stem: str, extension: str) -> str:
    budget = MAX_FILENAME_LENGTH - len(extension)
    stem = stem[:budget]
    while stem and _utf8_length(stem + extension) > MAX_FILENAME_BYTES:
        stem = stem[:-1]
    # A cut must not leave an accent without its letter, nor a trailing space or dot.
    while stem and (unicodedata.combining(stem[-1]) or stem[-1].isspace() or stem[-1] == "."):
        stem = stem[:-1]
    return stem


def filename_clean(*, name: str, content_type: str) -> CleanedFilename:
    """A safe file name for content of this type, and the reasons for every change.

    Accents and other letters are kept; what a file system or mail client could
    misread (path parts, control characters, reserved names, a wrong extension) is not.
    """
    changes: list[str] = []
    text = unicodedata.normalize("NFC", name)

    if _PATH_SEPARATORS.search(text):
        text = _PATH_SEPARATORS.sub("-", text)
        changes.append(gettext("Les séparateurs de dossier (/ et \\) ont été remplacés par « - »."))

    # Tabs and line breaks become spaces; other invisible characters go.
    spaced = "".join(" " if c.isspace() and c != " " and _is_invisible_or_break(c) else c for c in text)
    if spaced != text:
        changes.append(gettext("Les retours à la ligne et tabulations ont été remplacés par des espaces."))
    visible = "".join(c for c in spaced if not _is_invisible(c))
    if visible != spaced:
        changes.append(gettext("Les caractères de contrôle ou invisibles ont été retirés."))
    text = visible

    if _RESERVED_CHARACTERS.search(text):
        text = _RESERVED_CHARACTERS.sub("-", text)
        changes.append(gettext('Les caractères < > : " | ? * ont été remplacés par « - ».'))

    collapsed = _REPEATED_WHITESPACE.sub(" ", text)
    if collapsed != text:
        changes.append(gettext("Les espaces répétés ont été réduits à un seul."))
    text = collapsed

    trimmed = _EDGES.sub("", text)
    if trimmed != text:
        changes.append(gettext("Les points et espaces en début ou en fin de nom ont été retirés."))
    text = trimmed

    stem, extension = _split_extension(text)
    allowed = extensions_for(content_type)
    if allowed and extension.lower() not in allowed:
        wanted = allowed[0]
        if extension and mimetypes.guess_type("x" + extension, strict=False)[0]:
            changes.append(
                gettext("L'extension « %(old)s » ne correspond pas au contenu ; elle a été remplacée par « %(new)s ».")
                % {"old": extension, "new": wanted}
            )
        else:
            stem = text
            changes.append(gettext("L'extension « %(new)s » a été ajoutée.") % {"new": wanted})
        extension = wanted
        stem = _EDGES.sub("", stem)

    if not stem:
        stem = EMPTY_NAME
        changes.append(gettext("Le nom était vide ; « %(name)s » a été utilisé.") % {"name": EMPTY_NAME})

    device_name = stem.split(".", 1)[0].rstrip()
    if device_name.upper() in _WINDOWS_DEVICE_NAMES:
        stem = "_" + stem
        changes.append(
            gettext("« %(name)s » est un nom réservé par Windows ; il a été précédé de « _ ».") % {"name": device_name}
        )

    if len(stem) + len(extension) > MAX_FILENAME_LENGTH or _utf8_length(stem + extension) > MAX_FILENAME_BYTES:
        stem = _shorten(stem, extension) or EMPTY_NAME
        changes.append(gettext("Le nom a été raccourci à %(max)d caractères.") % {"max": MAX_FILENAME_LENGTH})

    return CleanedFilename(name=stem + extension, changes=changes)


def filename_pattern_placeholders(pattern: str) -> list[str]:
    return _PLACEHOLDER.findall(pattern)


def filename_pattern_validate(pattern: str) -> None:
    """Raises ValidationError for unknown placeholders or stray braces; usable as a field validator."""
    unknown = sorted({p for p in filename_pattern_placeholders(pattern) if p not in FILENAME_PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Placeholder inconnu : %(unknown)s. Disponibles : %(known)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{p}}}" for p in unknown),
                "known": ", ".join(f"{{{p}}}" for p in FILENAME_PLACEHOLDERS),
            },
        )
    if "{" in _PLACEHOLDER.sub("", pattern) or "}" in _PLACEHOLDER.sub("", pattern):
        raise ValidationError(
            _("Accolade isolée : un placeholder s'écrit {nom}, par exemple {order_number}."), code="stray_brace"
        )
    if not _PLACEHOLDER.sub("", pattern).strip() and not filename_pattern_placeholders(pattern):
        raise ValidationError(_("Le modèle de nom de fichier est vide."), code="empty")


_SEPARATORS = "_-. "


def _placeholder_value(value: str) -> str:
    # Inside a name, a value reads best as one word: "Les Érables" becomes "Les-Érables".
    value = _PATH_SEPARATORS.sub("-", value)
    value = "".join(c for c in value if c.isspace() or not _is_invisible(c))
    value = _WHITESPACE.sub("-", value.strip())
    return re.sub(r"-{2,}", "-", value)


def filename_from_pattern(*, pattern: str, values: dict[str, str], content_type: str) -> str:
    """The cleaned file name a pattern gives; the pattern must have passed `filename_pattern_validate`."""
    parts: list[str] = []
    drop_next_separator = False
    # re.split with a group alternates literal text (even indexes) and placeholders (odd).
    for index, token in enumerate(_PLACEHOLDER.split(pattern)):
        if index % 2 == 0:
            parts.append(token.lstrip(_SEPARATORS) if drop_next_separator else token)
            drop_next_separator = False
            continue
        value = _placeholder_value(values.get(token, ""))
        if value:
            parts.append(value)
        elif "".join(parts).strip(_SEPARATORS):
            # An empty value takes its separator along: no "2026-00042__2026-11-28".
            parts[-1] = parts[-1].rstrip(_SEPARATORS)
        else:
            drop_next_separator = True
    filled = "".join(parts).strip(_SEPARATORS)
    return filename_clean(name=filled, content_type=content_type).name
