"""Renders the parts of an email template in a sandbox, strictly.

Templates are written by staff in the backoffice and filled with order data: a typo in a
placeholder must stop the save with a message that says where, never reach a client as
an empty gap. Output is plain text; HTML is made from it later, escaped.
"""

import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .placeholders import PLACEHOLDER_NAMES, sample_context

_environment = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    # Placeholders are written {{ name }}; blocks {% if … %} stay available.
)


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


def _line_of(source: str, name: str) -> int | None:
    match = re.search(r"\b" + re.escape(name) + r"\b", source)
    return source.count("\n", 0, match.start()) + 1 if match else None


def template_part_problems(source: str) -> list[TemplateProblem]:
    """What is wrong with one part: syntax, unknown placeholders, a failing render."""
    try:
        parsed = _environment.parse(source)
    except TemplateSyntaxError as error:
        return [TemplateProblem(_("erreur de syntaxe : %(error)s") % {"error": error.message}, error.lineno)]
    unknown = sorted(meta.find_undeclared_variables(parsed) - PLACEHOLDER_NAMES)
    if unknown:
        return [
            TemplateProblem(_("placeholder inconnu « %(name)s »") % {"name": name}, _line_of(source, name))
            for name in unknown
        ]
    try:
        template_part_render(source, sample_context())
    except TemplateRenderError as error:
        return [error.problem]
    return []


@functools.lru_cache(maxsize=1024)
def _compiled(source: str) -> Template:
    # Compiling is most of a render's cost, and the same few template parts come back all day.
    return _environment.from_string(source)


def template_part_render(source: str, values: dict[str, str]) -> str:
    try:
        return _compiled(source).render(values)
    except TemplateSyntaxError as error:
        raise TemplateRenderError(TemplateProblem(error.message or "", error.lineno)) from error
    except SecurityError as error:
        raise TemplateRenderError(TemplateProblem(_("opération interdite : %(error)s") % {"error": error})) from error
    except TemplateError as error:
        raise TemplateRenderError(TemplateProblem(str(error))) from error
    except (TypeError, ValueError, ArithmeticError) as error:
        raise TemplateRenderError(TemplateProblem(_("erreur de rendu : %(error)s") % {"error": error})) from error
