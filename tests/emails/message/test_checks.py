"""The built message is read back and must say what was meant (CVE-2024-6923 and its kin)."""

import email
import email.policy
import sys
from email.headerregistry import Address
from email.message import EmailMessage

import pytest

from organisatrice.emails.errors import InputInvalid
from organisatrice.emails.message.bodies import sender_name
from organisatrice.emails.message.checks import MessageIntent, MessageUnsafe, message_check, message_mismatches
from organisatrice.emails.message.mime import AttachmentContent, message_build
from organisatrice.emails.message.recipients import Recipient
from organisatrice.people.models import CompanySettings, Employee

# Decodes to CR LF "X-Injected: yes": on 3.11.7 the email package writes that raw.
INJECT = "=?utf-8?q?=0D=0AX-Injected=3A_yes?="
# Decodes to CR LF CR LF: ends the headers, what follows becomes the body.
END_HEADERS = "=?utf-8?q?=0D=0A=0D=0AVotre_facture_est_en_pi=C3=A8ce_jointe?="
VULNERABLE = sys.version_info < (3, 11, 10) or (3, 12) <= sys.version_info < (3, 12, 5)

ARGUMENTS = {
    "sender_name": "Marie Rochat (Dupont Technique SA)",
    "sender_address": "noreply@dupont-sa.ch",
    "reply_to": Recipient("Marie Rochat", "marie.rochat@dupont-sa.ch"),
    "to": [Recipient("Anne Favre", "a.favre@gerance.ch")],
    "cc": [Recipient("Zoé Müller", "z.muller@gerance.ch")],
    "subject": "Rapport de travail – commande 2026-00042",
    "text": "Bonjour Madame Favre,\n\nLe rapport est joint.\n",
    "html": "<p>Bonjour Madame Favre,</p>\n",
    "attachments": [AttachmentContent("Rapport.pdf", "application/pdf", b"%PDF-1.7 rapport")],
    "message_id_domain": "dupont-sa.ch",
}


def _build(**overrides):
    return message_build(**{**ARGUMENTS, **overrides})


def _refusal(**overrides) -> dict[str, list[str]]:
    with pytest.raises(MessageUnsafe) as refused:
        _build(**overrides)
    assert isinstance(refused.value, InputInvalid)
    return refused.value.errors


def _sender(first_name="Marie", last_name="Rochat", company_name="Dupont Technique SA", name_format=None) -> str:
    company = CompanySettings(name=company_name, sender_name_format=name_format or "{employee} ({company})")
    return sender_name(employee=Employee(first_name=first_name, last_name=last_name), company=company)


REFUSED = [
    ("subject", {"subject": INJECT}, "Le concerne"),
    ("subject", {"subject": f"Rapport {END_HEADERS}"}, "Le concerne"),
    ("to", {"to": [Recipient(f"Anne {END_HEADERS} Favre", "a.favre@gerance.ch")]}, "(À)"),
    ("to", {"to": [Recipient("Hans Keller", "h@k.ch"), Recipient(f"Anne {INJECT}", "a@g.ch")]}, "(À)"),
    ("cc", {"cc": [Recipient(f"Zoé {INJECT}", "z.muller@gerance.ch")]}, "(Cc)"),
    ("sender", {"sender_name": _sender(first_name=f"Marie {INJECT}")}, "nom d'expéditeur"),
    ("sender", {"sender_name": _sender(last_name=END_HEADERS)}, "nom d'expéditeur"),
    ("sender", {"sender_name": _sender(company_name=INJECT, name_format="{company} – {employee}")}, "nom d'expéditeur"),
    ("sender", {"sender_name": _sender(name_format="{employee} " + INJECT)}, "nom d'expéditeur"),
    ("sender", {"reply_to": Recipient(f"Marie {INJECT} Rochat", "marie.rochat@dupont-sa.ch")}, "nom d'expéditeur"),
]


@pytest.mark.parametrize(("field", "overrides", "words"), REFUSED)
def test_an_encoded_word_payload_is_refused_with_what_to_change(field, overrides, words):
    errors = _refusal(**overrides)

    assert list(errors) == [field]
    [message] = errors[field]
    assert words in message and "« =?…?= »" in message and "Retirez-la" in message


@pytest.mark.skipif(not VULNERABLE, reason="this Python's email package refuses or encodes the line break itself")
@pytest.mark.parametrize(("field", "overrides", "words"), REFUSED)
def test_the_email_package_alone_would_have_sent_other_headers(field, overrides, words):
    """What message_build wrote before its check, for the same values: another header list or another body."""
    arguments = {**ARGUMENTS, **overrides}
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = Address(arguments["sender_name"], addr_spec=arguments["sender_address"])
    message["To"] = [Address(r.name, addr_spec=r.email) for r in arguments["to"]]
    message["Cc"] = [Address(r.name, addr_spec=r.email) for r in arguments["cc"]]
    message["Reply-To"] = Address(arguments["reply_to"].name, addr_spec=arguments["reply_to"].email)
    message["Subject"] = arguments["subject"]
    message.set_content(arguments["text"])

    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    headers = ["From", "To", "Cc", "Reply-To", "Subject", "Content-Type", "Content-Transfer-Encoding", "MIME-Version"]
    assert list(parsed.keys()) != headers


def test_an_encoded_word_the_reader_keeps_as_text_is_sent_as_typed():
    # Inside a quoted display name and against a parenthesis, Python's reader does not decode it.
    name = _sender(company_name=INJECT)
    built = _build(sender_name=name)
    parsed = email.message_from_bytes(built.raw, policy=email.policy.default)
    assert parsed["From"].addresses[0].display_name == name == f"Marie Rochat ({INJECT})"
    assert parsed["X-Injected"] is None


def test_a_legitimate_message_is_built_and_reads_back_exactly():
    built = _build(subject='Offre « Villa » "Les Pins", (étage 2) \\ a ?= b =? c – 2026-00042')
    parsed = email.message_from_bytes(built.raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == 'Offre « Villa » "Les Pins", (étage 2) \\ a ?= b =? c – 2026-00042'
    assert built.from_header == '"Marie Rochat (Dupont Technique SA)" <noreply@dupont-sa.ch>'


def test_an_attachment_name_with_a_payload_is_refused():
    errors = _refusal(attachments=[AttachmentContent(f"{INJECT}.pdf", "application/pdf", b"%PDF")])
    assert list(errors) == ["attachments"] and "Renommez-la" in errors["attachments"][0]


def test_values_the_email_package_folds_wrongly_are_written_by_hand_and_read_back_exactly():
    long_name = "Marie-Claire Rochat-Müller, Département Technique – Dupont Technique SA (Genève)"
    subject = "Rapport – Les Érables   –  bâtiment   B, 3ᵉ étage – travaux de révision annuelle – 2026-00042"
    built = _build(
        sender_name=long_name, to=[Recipient(long_name, "a@g.ch"), Recipient("Hans", "h@k.ch")], subject=subject
    )
    parsed = email.message_from_bytes(built.raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == subject
    assert [(a.display_name, a.addr_spec) for a in parsed["To"].addresses] == [
        (long_name, "a@g.ch"),
        ("Hans", "h@k.ch"),
    ]
    assert parsed["From"].addresses[0].display_name == long_name
    assert max(len(line) for line in built.raw.split(b"\r\n")) <= 998


# The check on its own: bytes changed after the build are caught, whatever wrote them.


def _intent_and_raw(**overrides) -> tuple[MessageIntent, bytes]:
    arguments = {**ARGUMENTS, **overrides}
    built = message_build(**arguments)
    parsed = email.message_from_bytes(built.raw, policy=email.policy.default)
    intent = MessageIntent(
        sender=Recipient(arguments["sender_name"], arguments["sender_address"]),
        reply_to=arguments["reply_to"],
        to=arguments["to"],
        cc=arguments["cc"],
        subject=arguments["subject"],
        date=str(parsed["Date"]),
        message_id=built.message_id,
        text=arguments["text"],
        html=arguments["html"],
        attachments=arguments["attachments"],
    )
    return intent, built.raw


def test_the_check_passes_the_message_as_built():
    intent, raw = _intent_and_raw()
    message_check(raw, intent)
    intent, raw = _intent_and_raw(attachments=[], cc=[], reply_to=None)
    message_check(raw, intent)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (b"\r\nSubject: ", b"\r\nBcc: x@evil.ch\r\nSubject: ", "message"),  # a header nobody wrote
        (b"\r\nSubject: ", b"\r\nSubject: Autre\r\nSubject: ", "subject"),  # a second subject
        (b"Anne Favre <a.favre@gerance.ch>", b"Anne Favre <a.favre@evil.ch>", "to"),
        (b"\r\nReply-To: Marie Rochat <", b"\r\nReply-To: Support <", "sender"),
        (b"Le rapport est joint.", b"Payez sur IBAN CH00.", "message"),  # another text
        (b"<p>Bonjour", b"<p>Bonsoir", "message"),  # another HTML
        (b"Content-Type: text/html", b"Content-Type: text/plain", "message"),
        (b'filename="Rapport.pdf"', b'filename="Facture.pdf"', "attachments"),
        (b"Content-Type: application/pdf", b"Content-Type: application/octet-stream", "attachments"),
        (b"Content-Type: application/pdf", b"X-Extra: 1\r\nContent-Type: application/pdf", "attachments"),
        (b"Message-ID: <", b"Message-ID: <other.", "message"),
    ],
)
def test_the_check_refuses_bytes_that_differ_from_the_intent(old, new, field):
    intent, raw = _intent_and_raw()
    assert old in raw
    with pytest.raises(MessageUnsafe) as refused:
        message_check(raw.replace(old, new, 1), intent)
    assert list(refused.value.errors) == [field]


def test_the_check_refuses_a_changed_attachment_and_a_missing_one():
    intent, raw = _intent_and_raw()
    assert message_mismatches(raw.replace(b"JVBERi0xLjcgcmFwcG9ydA==", b"JVBERi0xLjcgZmF1eA==", 1), intent)
    assert message_mismatches(raw, MessageIntent(**{**intent.__dict__, "attachments": []}))
