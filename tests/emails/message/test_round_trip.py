"""Ordinary text is never refused: any printable subject or name reads back exactly from the bytes.

Only a value holding an encoded-word mark `=?` may be refused instead, with the clear error.
"""

import email
import email.policy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisatrice.emails.message.checks import MessageUnsafe, display_name_form
from organisatrice.emails.message.mime import message_build
from organisatrice.emails.message.recipients import Recipient

from .test_checks import ARGUMENTS

# Printable: no control characters (line breaks, tab), no line or paragraph separators.
CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
# What makes headers hard: accents, typographic signs, specials, quotes, backslashes, the
# two halves of an encoded word, runs of spaces, words too long for a line.
SIGNS = ["é", "Ü", "–", "«", "»", "你好", "𝑻", ",", ";", ":", '"', "'", "(", ")", "<", ">", "@", "[", "]", "\\"]
FRAGMENTS = st.sampled_from(
    [*SIGNS, " ", "  ", "   ", "=?", "?=", "=?utf-8?q?", "=?utf-8?b?w6k=?=", "_", "=", "Rapport", "x" * 90]
)
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(CHARACTERS, max_size=12)), max_size=25).map("".join)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pairs(header) -> list[tuple[str, str]]:
    return [(a.display_name, a.addr_spec) for a in header.addresses]


def _meant(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    # Runs of spaces in a display name have no meaning (RFC 5322); Python's reader keeps one.
    return [(display_name_form(name), address) for name, address in pairs]


def _built_or_refused(**overrides):
    try:
        built = message_build(**{**ARGUMENTS, "attachments": [], **overrides})
    except MessageUnsafe as refused:
        return None, refused.errors
    return email.message_from_bytes(built.raw, policy=email.policy.default), {}


def _refused_only_for_an_encoded_word(value: str, errors: dict[str, list[str]], field: str) -> None:
    assert "=?" in value, errors
    assert list(errors) == [field] and "« =?…?= »" in errors[field][0]


@PROPERTY
@given(subject=TEXT)
def test_a_subject_reads_back_exactly(subject):
    # The composer strips the subject; a subject with outer spaces is kept exactly too.
    for value in {subject, subject.strip()}:
        parsed, errors = _built_or_refused(subject=value)
        if parsed is None:
            _refused_only_for_an_encoded_word(value, errors, "subject")
            continue
        assert str(parsed["Subject"]) == value
        assert parsed["X-Injected"] is None and len(parsed.keys()) == 9


@PROPERTY
@given(to=TEXT, cc=TEXT)
def test_recipient_names_read_back_exactly(to, cc):
    to_names = [to.strip(), "Anne Favre"]
    parsed, errors = _built_or_refused(
        to=[Recipient(to_names[0], "a.favre@gerance.ch"), Recipient(to_names[1], "b@gerance.ch")],
        cc=[Recipient(cc.strip(), "z.muller@gerance.ch")],
    )
    if parsed is None:
        for field, value in (("to", to_names[0]), ("cc", cc.strip())):
            if field in errors:
                _refused_only_for_an_encoded_word(value, {field: errors[field]}, field)
        assert set(errors) <= {"to", "cc"}
        return
    assert _meant(*_pairs(parsed["To"])) == _meant((to_names[0], "a.favre@gerance.ch"), (to_names[1], "b@gerance.ch"))
    assert _meant(*_pairs(parsed["Cc"])) == _meant((cc.strip(), "z.muller@gerance.ch"))


@PROPERTY
@given(name=TEXT)
def test_the_sender_name_reads_back_exactly(name):
    name = " ".join(name.split())  # as sender_name() gives it
    parsed, errors = _built_or_refused(sender_name=name, reply_to=Recipient(name, "marie.rochat@dupont-sa.ch"))
    if parsed is None:
        _refused_only_for_an_encoded_word(name, errors, "sender")
        return
    assert _pairs(parsed["From"]) == [(name, "noreply@dupont-sa.ch")]
    assert _pairs(parsed["Reply-To"]) == [(name, "marie.rochat@dupont-sa.ch")]
