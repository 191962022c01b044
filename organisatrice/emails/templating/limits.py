"""What one render of a template part may spend, and the budget that keeps the account.

Templates are written by staff and run inside the web process: every loop step, call,
operator, filter and piece of output of a render is charged to a Budget, so that no
template, whatever the data it meets, holds a worker for long or fills its memory.
"""

import itertools
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .errors import TemplateLimitError

MAX_SOURCE_CHARS = 10_000  # of one part, as typed in the backoffice
MAX_TEXT = 100_000  # characters (list items count as one) a render may produce, all values together
MAX_LOOP_STEPS = 10_000  # for all the loops of a render together
MAX_CALL_DEPTH = 20  # macros calling macros
MAX_INT_BITS = 256  # about 77 digits
TIME_BUDGET = 0.1  # seconds of one render; also of all the exploratory renders of a save together
MAX_EXPLORED_BRANCHES = 10  # of one {% if %}…{% elif %} chain, at save

_MAX_INT_DIGITS = MAX_INT_BITS * 30103 // 100000  # log10(2) ≈ 0.30103


def grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def too_complex() -> TemplateLimitError:
    return TemplateLimitError(_("le gabarit est trop long ou trop imbriqué pour être traité"))


def text_too_long() -> TemplateLimitError:
    return TemplateLimitError(_("le texte produit dépasserait %(count)s caractères") % {"count": grouped(MAX_TEXT)})


def int_too_large() -> TemplateLimitError:
    return TemplateLimitError(
        _("un calcul donnerait un nombre de plus de %(digits)s chiffres") % {"digits": _MAX_INT_DIGITS}
    )


def check_int(value: int) -> None:
    if value.bit_length() > MAX_INT_BITS:
        raise int_too_large()


def size_of(value: Any, limit: int) -> int:
    """Characters and items of `value` as printed, shared parts counted each time; stops counting past `limit`."""
    if isinstance(value, str):
        return len(value)
    known: dict[int, int] = {}  # a list built from the same lists again and again is measured once

    def measure(item: Any) -> int:
        if isinstance(item, str):
            return len(item)
        if isinstance(item, bool) or item is None:
            return 5
        if isinstance(item, int):
            return item.bit_length() // 3 + 1
        if isinstance(item, range):
            return len(item)  # at most MAX_LOOP_STEPS: see sandbox.bounded_range
        if not isinstance(item, (list, tuple, dict)):
            return 25  # a float, a macro, the loop: short when printed
        if id(item) in known:
            return known[id(item)]
        total = len(item)
        for child in itertools.chain(item.keys(), item.values()) if isinstance(item, dict) else item:
            if total > limit:
                break
            total += measure(child)
        known[id(item)] = total
        return total

    try:
        return measure(value)
    except RecursionError:
        return limit + 1


def deadline_from_now() -> float:
    # The processor time of this thread: a busy server makes renders slower, not more often refused.
    return time.thread_time() + TIME_BUDGET


class Budget:
    def __init__(self, *, deadline: float | None = None, explore_mode: int | None = None) -> None:
        self.deadline = deadline_from_now() if deadline is None else deadline
        self.text_left = MAX_TEXT
        self.steps_left = MAX_LOOP_STEPS
        self.depth = 0
        # At save, which branch of each conditional is forced; see guards.explore.
        self.explore_mode = explore_mode
        self.explored: set[int] = set()

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise TemplateLimitError(
                _("le rendu prendrait plus de %(ms)s ms ; simplifiez les boucles et les macros")
                % {"ms": int(TIME_BUDGET * 1000)}
            )

    def step(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise TemplateLimitError(
                _("les boucles feraient plus de %(count)s tours en tout") % {"count": grouped(MAX_LOOP_STEPS)}
            )
        self.tick()

    def ensure_room(self, size: int) -> None:
        if size > self.text_left:
            raise text_too_long()

    def charge(self, value: Any) -> Any:
        """Counts what an operation made, or what is written out, against the text a render may produce."""
        if isinstance(value, int) and not isinstance(value, bool):
            check_int(value)
        size = size_of(value, self.text_left)
        self.ensure_room(size)
        self.text_left -= size
        return value

    def ensure_fits(self, *values: Any) -> None:
        """Refuses to work on values larger than all the text still allowed."""
        total = 0
        for value in values:
            total += size_of(value, self.text_left - total)
            self.ensure_room(total)

    @contextmanager
    def call(self) -> Iterator[None]:
        if self.depth >= MAX_CALL_DEPTH:
            raise TemplateLimitError(
                _("les macros s'appellent sur plus de %(count)s niveaux (récursion sans fin ?)")
                % {"count": MAX_CALL_DEPTH}
            )
        self.tick()
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.step()
            yield item


_current: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def budget_active(budget: Budget) -> Iterator[Budget]:
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def budget_current() -> Budget:
    budget = _current.get()
    if budget is None:
        # Rendering outside rendering.py would run without limits: refuse rather than allow.
        raise RuntimeError("Email templates are rendered through templating.rendering only.")
    return budget
