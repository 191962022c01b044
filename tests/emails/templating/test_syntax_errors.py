"""A template with a syntax error is explained in the interface's language, with its line, never in Jinja's English."""

import pytest
from django.utils import translation

from organisatrice.emails.templating.rendering import template_part_problems

BROKEN = [
    "{{ order_number }",
    "Bonjour\n{% if order_number %}x",
    "{{ order_number | }}",
    "{% foo %}",
    "{{ order_number client_name }}",
    "{% endif %}",
    "{{ }}",
    "{{ 'abc }}",
    "{{ order_number ! client_name }}",
    "{# abc",
    "{% if order_number %}{% else %}{% else %}{% endif %}",
    "{{ order_number(}}",
    "{{ order_number. }}",
]
# Phrases of Jinja's own messages, which none of ours uses, in any language.
JINJA_ENGLISH = [
    "Jinja",
    "Encountered",
    "innermost",
    "end of print statement",
    "end of statement block",
    "unexpected char",
    "Expected an expression",
    "expected token",
    "Missing end of comment",
    "expected name or number",
]


@pytest.mark.parametrize("source", BROKEN)
@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_no_syntax_error_speaks_jinjas_english(source, language):
    with translation.override(language):
        [problem] = template_part_problems(source)
        text = str(problem)
    assert problem.line is not None
    assert not [word for word in JINJA_ENGLISH if word in text], text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Ligne 3 : erreur de syntaxe : le bloc « {% if %} » n'est pas fermé : il manque « {% endif %} »"),
        ("de", "Zeile 3: Syntaxfehler: Der Block «{% if %}» ist nicht geschlossen: «{% endif %}» fehlt"),
        ("en", "Line 3: syntax error: the “{% if %}” block is not closed: “{% endif %}” is missing"),
    ],
)
def test_an_unclosed_block_says_which_and_where(language, expected):
    with translation.override(language):
        [problem] = template_part_problems("Bonjour,\n\n{% if order_number %}commande {{ order_number }}")
        assert str(problem) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Ligne 2 : erreur de syntaxe : « }} » attendu, « client_name » trouvé"),
        ("de", "Zeile 2: Syntaxfehler: «}}» erwartet, «client_name» gefunden"),
        ("en", "Line 2: syntax error: “}}” expected, “client_name” found"),
    ],
)
def test_a_missing_closing_brace_names_what_came_instead(language, expected):
    with translation.override(language):
        [problem] = template_part_problems("Bonjour\n{{ order_number client_name }}")
        assert str(problem) == expected
