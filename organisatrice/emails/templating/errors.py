"""What goes wrong with a template part, said so that staff can fix it."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TemplateProblem:
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


class TemplateRenderError(ValueError):
    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class TemplateLimitError(TemplateRenderError):
    """The sandbox refused: a limit of the render was reached, or an operation is forbidden.

    Unlike other render errors, this never depends on a value being missing or of the
    wrong type: reached in any branch, it is the template's fault.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(TemplateProblem(message, line))


# Jinja's syntax errors are English sentences; each kind is said again in the interface's
# language, with what the author typed. The line number comes with the TemplateProblem.
_INNERMOST = r"The innermost block that needs to be closed is '(\w+)'\."
_UNCLOSED_BLOCK = re.compile(r"Unexpected end of template\..*" + _INNERMOST)
_TAG_IN_BLOCK = re.compile(r"Encountered unknown tag '(\w+)'\..*" + _INNERMOST)
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'\.")
_UNEXPECTED_CHAR = re.compile(r"unexpected char (['\"])(.+?)\1 at \d+")
_UNEXPECTED = re.compile(r"unexpected '(.+?)'(?:, expected '(.+?)')?$")
_EXPECTED_TOKEN = re.compile(r"expected token '(.+?)', got '(.+?)'")
_EXPECTED_EXPRESSION = re.compile(r"Expected an expression, got '(.+?)'")
# How Jinja names the tokens in its messages, and how the author wrote them.
_TOKENS = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "begin of print statement": "{{",
    "begin of statement block": "{%",
}


def _token(description: str) -> str:
    """A token as the author would name it: « }} », or in words for what is not typed as such."""
    if description == "end of template":
        return _("la fin du gabarit")
    if description == "name":
        return _("un nom")
    return _("« %(token)s »") % {"token": _TOKENS.get(description, description)}


def syntax_error_message(message: str) -> str:
    """Jinja's message about a template's syntax, in the interface's language."""
    if match := _UNCLOSED_BLOCK.search(message):
        return _("le bloc « {%% %(tag)s %%} » n'est pas fermé : il manque « {%% end%(tag)s %%} »") % {"tag": match[1]}
    if match := _TAG_IN_BLOCK.search(message):
        return _("« {%% %(tag)s %%} » n'a pas sa place dans le bloc « {%% %(block)s %%} »") % {
            "tag": match[1],
            "block": match[2],
        }
    if match := _UNKNOWN_TAG.search(message):
        return _("balise inconnue ou sans bloc ouvert : « {%% %(tag)s %%} »") % {"tag": match[1]}
    if match := _UNEXPECTED_CHAR.search(message):
        return _("caractère inattendu : « %(char)s »") % {"char": match[2]}
    if match := _UNEXPECTED.search(message):
        if match[2]:
            return _("%(found)s inattendu, %(expected)s attendu") % {
                "found": _token(match[1]),
                "expected": _token(match[2]),
            }
        return _("%(found)s inattendu") % {"found": _token(match[1])}
    if match := _EXPECTED_TOKEN.search(message):
        return _("%(expected)s attendu, %(found)s trouvé") % {
            "expected": _token(match[1]),
            "found": _token(match[2]),
        }
    if match := _EXPECTED_EXPRESSION.search(message):
        return _("un placeholder ou une valeur attendu avant %(found)s") % {"found": _token(match[1])}
    if message == "Missing end of comment tag":
        return _("le commentaire « {# » n'est pas fermé : il manque « #} »")
    if message == "expected name or number":
        return _("un nom est attendu après le point")
    # Never Jinja's English: what is sure is that the syntax is wrong at that line.
    return _("la syntaxe n'est pas celle d'un gabarit")
