"""Templates compile and render under limits: refused at save when any branch breaks one, a clear error otherwise."""

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from organisatrice.emails.templating.defaults import TEMPLATES
from organisatrice.emails.templating.placeholders import sample_context
from organisatrice.emails.templating.rendering import TemplateLimitError, template_part_problems, template_part_render
from tests.emails.templating.payloads import LOOPS, NEVER, POWER, RECURSION

DOUBLING_LISTS = "".join(
    f"{{% set x{i + 1} = [x{i}, y{i}] %}}{{% set y{i + 1} = [y{i}, x{i}] %}}" for i in range(1, 40)
)  # two lists whose comparison doubles with each level

REFUSED = {
    "power folded while compiling": (POWER, "chiffres"),
    "nested ranges behind an if": (LOOPS, "range()"),
    "recursive macro behind an if": (RECURSION, "niveaux"),
    "nested loops of 10 000 behind an if": (
        NEVER + "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}{% endif %}",
        "tours",
    ),
    "text times a large number": ("{{ order_title * 10**6 }}", "texte produit"),
    "~ doubling in a macro": (
        "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s }}{% endmacro %}{{ d(order_title, 20) }}",
        "texte produit",
    ),
    "replace of the empty string": ("{{ order_title|replace('', order_title * 1000) }}", "texte produit"),
    "join with a long separator": ("{{ range(10000)|join(order_title * 100) }}", "texte produit"),
    "% with a wide field": ("{{ '%99999999s' % order_title }}", "texte produit"),
    "literal text in a long loop": ("{% for i in range(10000) %}" + "x" * 5000 + "{% endfor %}", "texte produit"),
    "lists whose comparison doubles": (
        "{% set x1 = [1] %}{% set y1 = [1] %}" + DOUBLING_LISTS + "{{ x40 == y40 }}",
        "texte",
    ),
    "a method of a placeholder": ("{{ order_title.ljust(10**7) }}", "« .ljust »"),
    "str.format": ("{{ '{:>99999999}'.format(order_title) }}", "« .format »"),
    "deep recursion": ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", "niveaux"),
    "recursive loop": ("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}", "niveaux"),
    "nested loops over a placeholder": (
        "{% for a in order_title %}{% for b in order_title %}{% for c in order_title %}"
        "{% for d in order_title %}.{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
        "tours",
    ),
    "loops behind an elif": (
        '{% if order_number == "x" %}x{% elif order_number == "y" %}'
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}{% endif %}",
        "tours",
    ),
    "text in the else of a for": (
        "{% for c in building_name %}{{ c }}{% else %}{{ order_title * 10**6 }}{% endfor %}",
        "texte produit",
    ),
    "conditional expression": ('{{ order_title * 10**6 if order_number == "x" else "" }}', "texte produit"),
    "power behind an if": (NEVER + "{{ 2 ** 100000 }}{% endif %}", "chiffres"),
    "product of large numbers": ("{{ 10**40 * 10**40 }}", "chiffres"),
    "rounding to a huge negative precision": ("{{ 5|round(-10**8) }}", "chiffres"),
    "filter outside the allowed list": ("{{ order_title|center(10**7) }}", "filtre inconnu « center »"),
    "unknown filter behind an if": (NEVER + "{{ order_title|nope }}{% endif %}", "filtre inconnu « nope »"),
    "lorem ipsum generator": ("{{ lipsum(1000) }}", "placeholder inconnu « lipsum »"),
    "too long a source": ("x" * 10_001, "dépasse"),
    "parentheses nested by thousands": ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "trop imbriqué"),
    "a number of 5000 digits": ("{{ " + "9" * 5000 + " }}", "trop"),
}


@pytest.mark.parametrize(("source", "expected"), REFUSED.values(), ids=REFUSED.keys())
def test_a_template_that_breaks_a_limit_in_any_branch_is_refused_at_save_at_once(guarded, source, expected):
    problems, seconds = guarded(template_part_problems, source)
    assert len(problems) == 1 and expected in str(problems[0]), problems
    assert seconds < 0.5


def test_the_line_of_the_limit_is_given():
    [problem] = template_part_problems("Bonjour,\n\n" + RECURSION.replace("{% if", "\n{% if"))
    assert problem.line == 3  # the macro's, where the recursion is


def test_a_render_that_takes_too_long_is_stopped_at_its_time_budget(guarded):
    slow = "{% set s = 'mot ' * 10000 %}{% for i in range(10000) %}{% if s|wordcount %}{% endif %}{% endfor %}"
    problems, seconds = guarded(template_part_problems, slow)
    assert problems and "ms" in str(problems[0])
    assert seconds < 0.5


def _render_limited(source: str, values: dict[str, str]) -> str:
    try:
        template_part_render(source, {**sample_context(), **values})
    except TemplateLimitError as error:
        return f"refused: {error}"
    return "rendered"


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        # `or` is not explored at save: the limit holds when the data reaches it.
        ("{{ building_name or order_title * 10**6 }}", {"building_name": ""}, "texte produit"),
        (
            "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(order_number|int) }}",
            {"order_number": "100"},
            "niveaux",
        ),
        (
            "{% for i in range(order_number|int) %}{% for c in order_title %}{% endfor %}{% endfor %}",
            {"order_number": "10000"},
            "tours",
        ),
    ],
)
def test_a_template_accepted_at_save_fails_clearly_on_data_that_breaks_a_limit(guarded, source, values, expected):
    assert template_part_problems(source) == []
    result, seconds = guarded(_render_limited, source, values)
    assert result.startswith("refused") and expected in result, result
    assert seconds < 0.5


def test_a_recursive_macro_that_ends_is_not_refused_by_the_exploration():
    source = "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}"
    assert template_part_problems(source) == []
    assert template_part_render(source, sample_context()) == "321"


# The environment of before the limits: what every normal template must still render to.
_BEFORE = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)

NORMAL = [
    "Bonjour {{ formal_greeting }},\n\nvoici le rapport du {{ work_report_date }}.\n",
    "{{ building_name or order_title }} – {{ order_number }}",
    "{% if building_name %}Bâtiment : {{ building_name }}{% else %}sans bâtiment{% endif %}",
    "{{ order_title|upper }} {{ order_title|lower }} {{ order_title|title }} {{ order_title|capitalize }}",
    "{{ '  x  '|trim }} {{ ''|default('vide') }} {{ ''|d('vide', true) }} {{ order_title|truncate(20) }}",
    "{{ order_title|replace('pompe', 'vanne') }} {{ order_title|length }} {{ order_title|wordcount }}",
    "{{ [client_name, building_name]|join(', ') }} {{ order_title|first }}{{ order_title|last }}",
    "{{ 3.14159|round(2) }} {{ photo_count|int + 1 }} {{ '2.5'|float }} {{ -3|abs }} {{ order_title|reverse }}",
    "{{ order_title|list|length }} {{ order_title|string }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }}",
    "{% for c in 'abc' %}{{ loop.index }}/{{ loop.length }}{{ c }}{{ '!' if loop.last }}{% endfor %}",
    "{% for x in [[1, [2]], [3]] recursive %}[{% if x is sequence %}{{ loop(x) }}{% else %}{{ x }}{% endif %}]"
    "{% endfor %}",
    "{% macro box(t) %}<{{ t }}|{{ caller() }}>{% endmacro %}{% call box(order_number) %}dans{% endcall %}",
    "{% filter upper %}abc {{ order_title }}{% endfilter %} {% set x %}X{{ order_number }}{% endset %}{{ x }}",
    "{{ '%s–%s' % (order_number, order_title) }} {{ '%.2f' % 3.14159 }} {{ order_title[:5] }} {{ 'a' ~ 'b' }}",
    "{% for a, b in [(1, 2), (3, 4)] %}{{ a }}{{ b }}{% endfor %}{% set p, q = 1, 2 %}{{ p + q }}",
    "{{ {'a': 1}.a }} {{ {'a': 1}['a'] }} {{ order_title is string }} {{ 6 is divisibleby 3 }}",
]


def _default_parts() -> list[str]:
    return [source for languages in TEMPLATES.values() for parts in languages.values() for source in parts.values()]


@pytest.mark.parametrize("source", _default_parts() + NORMAL)
def test_normal_templates_render_exactly_as_before(source):
    assert template_part_problems(source) == []
    for values in (sample_context(), {**sample_context(), "building_name": "", "photo_count": "3"}):
        assert template_part_render(source, values) == _BEFORE.from_string(source).render(values)
