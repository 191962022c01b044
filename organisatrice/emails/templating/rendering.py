"""Renders the parts of an email template in a sandbox, strictly and within limits.

Templates are written by staff in the backoffice and filled with order data: a typo in a
placeholder must stop the save with a message that says where, never reach a client as
an empty gap. Output is plain text; HTML is made from it later, escaped.

A template must never stall or crash the server either: it compiles and renders under the
limits of limits.py (sandbox.py and guards.py enforce them), and a template that breaks
one is refused at save, or, when only later data trips it, fails with a clear error.
"""

import dataclasses
import functools
import re
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError

from .errors import TemplateLimitError, TemplateProblem, TemplateRenderError, syntax_error_message
from .guards import explore, guard
from .limits import MAX_SOURCE_CHARS, Budget, budget_active, deadline_from_now, grouped, too_complex
from .placeholders import PLACEHOLDER_NAMES, sample_context
from .sandbox import TemplateSandbox

_environment = TemplateSandbox()

# Jinja compiles deeply nested templates by recursion, and generated code the same way.
_TOO_COMPLEX = (RecursionError, MemoryError, SyntaxError, ValueError, OverflowError)


def _parse(source: str) -> nodes.Template:
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateLimitError(_("le gabarit dépasse %(count)s caractères") % {"count": grouped(MAX_SOURCE_CHARS)})
    try:
        return _environment.parse(source)
    except TemplateSyntaxError as error:
        message = _("erreur de syntaxe : %(error)s") % {"error": syntax_error_message(error.message or "")}
        raise TemplateRenderError(TemplateProblem(message, error.lineno)) from error
    except _TOO_COMPLEX as error:  # a number of thousands of digits is a ValueError
        raise too_complex() from error


def _compile(tree: nodes.Template) -> Template:
    guard(tree).set_environment(_environment)
    try:
        return _environment.from_string(tree)
    except TemplateSyntaxError as error:
        raise TemplateRenderError(TemplateProblem(syntax_error_message(error.message or ""), error.lineno)) from error
    except _TOO_COMPLEX as error:
        raise too_complex() from error


@functools.lru_cache(maxsize=1024)
def _compiled(source: str) -> Template:
    # Compiling is most of a render's cost, and the same few template parts come back all day.
    return _compile(_parse(source))


@functools.lru_cache(maxsize=64)
def _compiled_for_exploring(source: str) -> tuple[Template, list[int]]:
    tree = _parse(source)
    modes = explore(tree)
    return _compile(tree), modes


def _template_line(error: BaseException) -> int | None:
    # Jinja rewrites the traceback of a render so that its frames point into the template.
    line, traceback = None, error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _render(template: Template, values: dict[str, Any], budget: Budget) -> str:
    try:
        with budget_active(budget):
            return template.render(values)
    except TemplateRenderError as error:
        # Raised by the budget, which does not know where in the template it is.
        if error.problem.line is not None:
            raise
        line = _template_line(error)
        if isinstance(error, TemplateLimitError):
            raise TemplateLimitError(error.problem.message, line) from error
        raise TemplateRenderError(dataclasses.replace(error.problem, line=line)) from error
    except SecurityError as error:
        message = _("opération interdite : %(error)s") % {"error": error}
        raise TemplateLimitError(message, _template_line(error)) from error
    except (RecursionError, MemoryError) as error:
        raise too_complex() from error
    except TemplateError as error:
        raise TemplateRenderError(TemplateProblem(str(error), _template_line(error))) from error
    except (TypeError, ValueError, ArithmeticError) as error:
        message = _("erreur de rendu : %(error)s") % {"error": error}
        raise TemplateRenderError(TemplateProblem(message, _template_line(error))) from error


def template_part_render(source: str, values: dict[str, str]) -> str:
    return _render(_compiled(source), values, Budget())


def _names_problems(source: str, tree: nodes.Template) -> list[TemplateProblem]:
    problems = [
        TemplateProblem(_("filtre inconnu « %(name)s »") % {"name": node.name}, node.lineno)
        for node in tree.find_all(nodes.Filter)
        if node.name not in _environment.filters
    ] + [
        TemplateProblem(_("test inconnu « %(name)s »") % {"name": node.name}, node.lineno)
        for node in tree.find_all(nodes.Test)
        if node.name not in _environment.tests
    ]
    if problems:
        return problems
    unknown = sorted(meta.find_undeclared_variables(tree) - PLACEHOLDER_NAMES)
    return [
        TemplateProblem(_("placeholder inconnu « %(name)s »") % {"name": name}, _line_of(source, name))
        for name in unknown
    ]


def _line_of(source: str, name: str) -> int | None:
    match = re.search(r"\b" + re.escape(name) + r"\b", source)
    return source.count("\n", 0, match.start()) + 1 if match else None


def _explore(source: str) -> None:
    """Renders the branches the sample values skip; raises only what is the template's fault."""
    template, modes = _compiled_for_exploring(source)
    deadline = deadline_from_now()
    for mode in modes:
        try:
            _render(template, sample_context(), Budget(deadline=deadline, explore_mode=mode))
        except TemplateLimitError:
            raise
        except TemplateRenderError:
            continue  # a value of the wrong kind in a forced branch: not the author's mistake


def template_part_problems(source: str) -> list[TemplateProblem]:
    """What is wrong with one part: syntax, unknown names, a failing render, a limit broken in any branch."""
    try:
        problems = _names_problems(source, _parse(source))
        if problems:
            return problems
        template_part_render(source, sample_context())
        _explore(source)
    except TemplateRenderError as error:
        return [error.problem]
    except TemplateSyntaxError as error:
        return [TemplateProblem(syntax_error_message(error.message or ""), error.lineno)]
    except (RecursionError, MemoryError):
        return [too_complex().problem]
    return []
