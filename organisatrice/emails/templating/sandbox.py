"""The Jinja environment email templates run in: a few filters, no attributes, every operation on the budget.

Jinja folds constant expressions while compiling, before any check of the render could
run. Intercepted operators and filters that take the context are never folded: here
every arithmetic operator is intercepted and every filter takes the context, so the
work a template asks for is done during its render, on its Budget (see limits.py).
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, pass_context
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from .errors import TemplateLimitError
from .limits import (
    MAX_INT_BITS,
    MAX_LOOP_STEPS,
    MAX_TEXT,
    Budget,
    budget_current,
    grouped,
    int_too_large,
    size_of,
    text_too_long,
)

# The filters a template may use; the defaults (center, indent, format, map, attr…) are left out.
ALLOWED_FILTERS = (
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "first",
    "float",
    "int",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "replace",
    "reverse",
    "round",
    "string",
    "title",
    "trim",
    "truncate",
    "upper",
    "wordcount",
)

# The only attributes a template reaches: those of `loop` inside {% for %}.
LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0"}
    | {"previtem", "nextitem", "cycle", "changed"}
)

# Filters that guards.py puts into the syntax tree. Their names are not identifiers, so no
# template can write them.
CHARGE = "~charge"
STEPS = "~steps"
EXPLORE = "~explore"


def _replace_size(s: Any, old: Any, new: Any, count: Any = None) -> int:
    text, old, new = str(s), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    return len(text) + found * len(new)


def _join_size(value: Any, d: Any = "", attribute: Any = None) -> int:
    items = len(value) if isinstance(value, Sized) else 0
    return size_of(value, MAX_TEXT) + len(str(d)) * items


def _round_size(value: Any, precision: Any = 0, method: Any = "common") -> int:
    # round(5, -10**8) computes 10**(10**8) first.
    if isinstance(precision, int) and abs(precision) > MAX_INT_BITS:
        raise int_too_large()
    return 0


# Filters whose work or result may be much larger than their arguments: the size of the result, at most.
_RESULT_SIZE: dict[str, Callable[..., int]] = {"replace": _replace_size, "join": _join_size, "round": _round_size}


def _bounded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    pass_arg = _PassArg.from_obj(function)
    result_size = _RESULT_SIZE.get(name)

    def passed(context: Context) -> tuple[Any, ...]:
        if pass_arg is _PassArg.context:
            return (context,)
        if pass_arg is _PassArg.eval_context:
            return (context.eval_ctx,)
        if pass_arg is _PassArg.environment:
            return (context.environment,)
        return ()

    @pass_context
    def bounded(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = budget_current()
        budget.tick()
        if isinstance(value, Iterator):  # `loop`: its steps are counted as it is read
            value = list(value)
        budget.ensure_fits(value, *args, *kwargs.values())
        if result_size is not None:
            budget.ensure_room(result_size(value, *args, **kwargs))
        result = function(*passed(context), value, *args, **kwargs)
        if isinstance(result, Iterator):  # reverse
            result = list(result)
        return budget.charge(result)

    return bounded


class Unfilled(str):
    """A placeholder that has no value on this order (no report, no offer, no recipient…).

    Empty, hence false, for the template's logic: `{{ building_name or order_title }}` still
    falls back. Written out, it is the placeholder itself, so that the gap shows in the
    composer and Send refuses it (see placeholders.unfilled_placeholders) instead of a blank
    reaching the client.
    """

    name: str

    def __new__(cls, name: str) -> "Unfilled":
        value = super().__new__(cls, "")
        value.name = name
        return value

    @property
    def marker(self) -> str:
        return f"{{{{ {self.name} }}}}"


@pass_context
def _charged(context: Context, value: Any) -> Any:
    """Every {{ output }}, literal text, list, dict and `~` concatenation."""
    budget = budget_current()
    budget.tick()
    if isinstance(value, Unfilled):
        value = value.marker
    return budget.charge(value)


@pass_context
def _stepped(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    return budget_current().counted(iterable)


@pass_context
def _explored(context: Context, value: Any, node_id: int, position: int) -> Any:
    """At save, forces each conditional once (the first time it is met) towards the branch explored."""
    budget = budget_current()
    if budget.explore_mode is None or node_id in budget.explored:
        return value
    budget.explored.add(node_id)
    return position == budget.explore_mode


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    try:
        length = len(numbers)
    except OverflowError:
        length = MAX_LOOP_STEPS + 1
    if length > MAX_LOOP_STEPS:
        raise TemplateLimitError(_("range() donnerait plus de %(count)s nombres") % {"count": grouped(MAX_LOOP_STEPS)})
    return numbers


_CONVERSION = re.compile(r"%(?:\([^)]*\))?([^a-zA-Z%]*)([a-zA-Z%])")


def _formatted_size(template: str, args: Any, limit: int) -> int:
    """The size of `template % args`, at most."""
    values = list(args) if isinstance(args, tuple) else list(args.values()) if isinstance(args, dict) else [args]
    widest = max((size_of(value, limit) for value in values), default=0)
    total = len(template)
    for match in _CONVERSION.finditer(template):
        spec, conversion = match.groups()
        if "*" in spec:
            raise TemplateLimitError(_("une largeur « * » n'est pas permise dans un formatage avec « % »"))
        numbers = re.findall(r"\d+", spec)
        if any(len(number) > 6 for number in numbers):
            raise text_too_long()
        # repr() and ascii() may write a character as \U0001f600.
        total += sum(int(number) for number in numbers) + widest * (10 if conversion in "ra" else 1) + 400
        if total > limit:
            break
    return total


def _ensure_binop_room(budget: Budget, operator: str, left: Any, right: Any) -> None:
    """Refuses, before it is computed, a result too large to be charged afterwards."""
    if operator == "**" and isinstance(left, int) and isinstance(right, int):
        if right > 0 and abs(left) > 1 and left.bit_length() * right > MAX_INT_BITS:
            raise int_too_large()
    elif operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                budget.ensure_room(size_of(sequence, budget.text_left) * max(times, 0))
    elif operator == "%" and isinstance(left, str):
        budget.ensure_room(_formatted_size(left, right, budget.text_left))


class TemplateSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"**", "*", "+", "%", "//", "-"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=_charged)
        # Placeholders are written {{ name }}; blocks {% if … %} and {% for … %} stay available.
        self.globals.clear()
        self.globals["range"] = bounded_range
        self.filters = {name: _bounded(name, FILTERS[name]) for name in ALLOWED_FILTERS}
        self.filters.update({CHARGE: _charged, STEPS: _stepped, EXPLORE: _explored})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # A method such as order_title.ljust(10**8) would run in C, out of the budget's reach.
        return isinstance(obj, LoopContext) and attr in LOOP_ATTRIBUTES

    def wrap_str_format(self, value: Any) -> None:
        # str.format is an attribute like the others: refused, not sandboxed.
        return None

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        return self.undefined(
            _("« .%(attribute)s » n'est pas permis dans un gabarit ; utilisez un filtre, par exemple {{ nom|upper }}")
            % {"attribute": attribute},
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = budget_current()
        budget.tick()
        _ensure_binop_room(budget, operator, left, right)
        return budget.charge(super().call_binop(context, operator, left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget = budget_current()
        if isinstance(obj, LoopContext) and args:  # the next level of a recursive loop
            args = (budget.counted(args[0]), *args[1:])
        with budget.call():
            return super().call(context, obj, *args, **kwargs)
