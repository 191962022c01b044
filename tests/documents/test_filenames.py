import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from organisatrice.documents.filenames import (
    DEFAULT_FILENAME_PATTERNS,
    FILENAME_SAMPLE_VALUES,
    MAX_FILENAME_BYTES,
    MAX_FILENAME_LENGTH,
    extensions_for,
    filename_from_pattern,
    filename_pattern_validate,
)
from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.services import filename_clean

PDF = "application/pdf"
CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png", "text/plain", "application/octet-stream", ""]


def test_a_good_name_is_left_alone():
    cleaned = filename_clean(name="2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf", content_type=PDF)
    assert cleaned.name == "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf"
    assert cleaned.changes == []


def test_accents_are_kept_and_normalized_to_composed_form():
    decomposed = "Re\u0301sidence Les E\u0301rables.pdf"
    assert filename_clean(name=decomposed, content_type=PDF).name == "Résidence Les Érables.pdf"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "-..-etc-passwd.pdf"),
        ("C:\\Users\\anne\\rapport.pdf", "C--Users-anne-rapport.pdf"),
        ("rapport\x00\x07.pdf", "rapport.pdf"),
        ("rapport\u202efdp.exe", "rapportfdp.pdf"),
        ("ligne 1\nligne 2\t.pdf", "ligne 1 ligne 2 .pdf"),
        ("Rapport: pompe?.pdf", "Rapport- pompe-.pdf"),
        ("   .cache.pdf  ", "cache.pdf"),
        ("rapport   final.pdf", "rapport final.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
    ],
)
def test_unsafe_parts_are_replaced_and_explained(name, expected):
    cleaned = filename_clean(name=name, content_type=PDF)
    assert cleaned.name == expected
    assert cleaned.changes, "every change has a reason"
    assert all(isinstance(reason, str) and reason for reason in cleaned.changes)


def test_a_wrong_known_extension_is_replaced():
    cleaned = filename_clean(name="rapport.docx", content_type=PDF)
    assert cleaned.name == "rapport.pdf"
    assert any(".docx" in reason and ".pdf" in reason for reason in cleaned.changes)


def test_an_unknown_suffix_is_kept_and_the_extension_added():
    cleaned = filename_clean(name="Rapport 2026.11", content_type=PDF)
    assert cleaned.name == "Rapport 2026.11.pdf"
    assert any("ajoutée" in reason for reason in cleaned.changes)


def test_any_jpeg_spelling_is_accepted_for_jpeg():
    for name in ["photo.jpg", "photo.JPG", "photo.jpeg"]:
        assert filename_clean(name=name, content_type="image/jpeg").name == name
    assert filename_clean(name="photo.png", content_type="image/jpeg").name == "photo.jpg"


def test_an_upload_of_unknown_type_keeps_its_extension():
    cleaned = filename_clean(name="plan.dwg", content_type="application/octet-stream")
    assert cleaned.name == "plan.dwg"
    assert cleaned.changes == []


def test_long_names_are_cut_to_120_characters_keeping_the_extension():
    cleaned = filename_clean(name="é" * 300 + ".pdf", content_type=PDF)
    assert len(cleaned.name) == MAX_FILENAME_LENGTH
    assert cleaned.name.endswith(".pdf")
    assert any("120" in reason for reason in cleaned.changes)


def test_reasons_are_in_the_interface_language():
    with translation.override("fr"):
        reasons = filename_clean(name="a/b", content_type=PDF).changes
    assert "séparateurs" in reasons[0]


@settings(max_examples=400, deadline=None)
@given(name=st.text(max_size=400), content_type=st.sampled_from(CONTENT_TYPES))
@example(name="\U0001f600" * 130, content_type=PDF)
@example(name="CON" + "." * 200 + "x", content_type=PDF)
@example(name="a" * 119 + "\u0301" * 5, content_type=PDF)
@example(name="nul.tar.gz", content_type="application/octet-stream")
@example(name="\ud800rapport\udfff.pdf", content_type=PDF)
def test_any_unicode_input_gives_a_safe_name_with_the_right_extension(name, content_type):
    cleaned = filename_clean(name=name, content_type=content_type)
    result = cleaned.name

    assert 0 < len(result) <= MAX_FILENAME_LENGTH
    assert len(result.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert "/" not in result and "\\" not in result
    assert not any(unicodedata.category(c).startswith("C") for c in result)
    assert not any(c in '<>:"|?*' for c in result)
    assert result == result.strip() and not result.startswith(".") and not result.endswith(".")
    assert result.split(".", 1)[0].rstrip().upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    allowed = extensions_for(content_type)
    if allowed:
        assert any(result.lower().endswith(extension) for extension in allowed)
        assert len(result) > len(next(e for e in allowed if result.lower().endswith(e)))
    # A changed name says why; a clean name stays as it is.
    if result != unicodedata.normalize("NFC", name):
        assert cleaned.changes
    again = filename_clean(name=result, content_type=content_type)
    assert again.name == result
    assert again.changes == []


@settings(max_examples=200, deadline=None)
@given(values=st.dictionaries(st.sampled_from(sorted(FILENAME_SAMPLE_VALUES)), st.text(max_size=80)))
def test_any_placeholder_values_give_a_clean_pdf_name(values):
    for pattern in DEFAULT_FILENAME_PATTERNS.values():
        name = filename_from_pattern(pattern=pattern, values=values, content_type=PDF)
        assert name.endswith(".pdf")
        assert filename_clean(name=name, content_type=PDF).changes == []


def test_default_patterns_give_the_expected_names():
    name = filename_from_pattern(
        pattern=DEFAULT_FILENAME_PATTERNS[DocumentKind.WORK_REPORT], values=FILENAME_SAMPLE_VALUES, content_type=PDF
    )
    assert name == "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf"


def test_an_empty_placeholder_takes_its_separator_along():
    pattern = "{caption}_{order_number}_{building}_{date}"
    values = {"order_number": "2026-00042", "date": "2026-11-28"}
    assert filename_from_pattern(pattern=pattern, values=values, content_type=PDF) == "2026-00042_2026-11-28.pdf"


@pytest.mark.parametrize(
    "pattern",
    ["{order_number}_{unknown}", "{order_number", "order}", "{ order_number }", "   "],
)
def test_invalid_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        filename_pattern_validate(pattern)


def test_valid_patterns_pass():
    for pattern in DEFAULT_FILENAME_PATTERNS.values():
        filename_pattern_validate(pattern)
    filename_pattern_validate("Rapport fixe")
