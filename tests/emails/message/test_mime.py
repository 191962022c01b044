import email
import email.policy

from organisatrice.emails.message.bodies import EmailParts, body_html, body_text
from organisatrice.emails.message.mime import AttachmentContent, message_build
from organisatrice.emails.message.recipients import Recipient, recipients_parse

PARTS = EmailParts(
    greeting="Bonjour Madame Favre,",
    motivation="Vous trouverez ci-joint le rapport.",
    body="<script>alert(1)</script> & voir https://dupont-sa.ch\nLigne 2",
    closing="Meilleures salutations",
    signature="Marie Rochat\nDupont SA",
)


def _build(**overrides):
    arguments = {
        "sender_name": "Marie Rochat (Dupont Technique SA)",
        "sender_address": "noreply@dupont-sa.ch",
        "reply_to": Recipient("Marie Rochat", "marie.rochat@dupont-sa.ch"),
        "to": [Recipient("Anne Favre", "a.favre@gerance.ch")],
        "cc": [Recipient("Zoé Müller", "z.muller@gerance.ch")],
        "subject": "Rapport de travail – commande 2026-00042 – Les Érables",
        "text": body_text(PARTS),
        "html": body_html(PARTS, language="fr"),
        "attachments": [
            AttachmentContent(
                "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf", "application/pdf", b"%PDF-1.7"
            )
        ],
        "message_id_domain": "dupont-sa.ch",
    }
    return message_build(**{**arguments, **overrides})


def test_message_parses_without_defects_and_keeps_every_header():
    built = _build()
    parsed = email.message_from_bytes(built.raw, policy=email.policy.default)

    assert not parsed.defects
    assert all(not part.defects for part in parsed.walk())
    assert parsed["From"].addresses[0].display_name == "Marie Rochat (Dupont Technique SA)"
    assert parsed["From"].addresses[0].addr_spec == "noreply@dupont-sa.ch"
    assert parsed["Reply-To"].addresses[0].addr_spec == "marie.rochat@dupont-sa.ch"
    assert parsed["Cc"].addresses[0].display_name == "Zoé Müller"
    assert str(parsed["Subject"]) == "Rapport de travail – commande 2026-00042 – Les Érables"
    assert parsed["Message-ID"] == built.message_id and built.message_id.endswith("@dupont-sa.ch>")
    assert parsed["Date"] is not None
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = list(parsed.iter_parts())
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert attachment.get_filename() == "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf"
    # RFC 2231: the non-ASCII file name travels percent-encoded, in continuations if long.
    assert b"filename*0*=utf-8''2026-00042_Rapport-de-travail_Les-%C3%89rables" in built.raw
    assert b"\r\n" in built.raw and b"\n" not in built.raw.replace(b"\r\n", b"")


def test_bodies_carry_the_same_content_and_user_text_is_escaped():
    text, html = body_text(PARTS), body_html(PARTS, language="fr")
    assert "<script>alert(1)</script>" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://dupont-sa.ch"' in html
    for line in ["Bonjour Madame Favre,", "Meilleures salutations", "Marie Rochat"]:
        assert line in text and line in html


def test_typed_recipients_keep_the_valid_and_explain_the_rest():
    recipients, errors = recipients_parse("Anne Favre <a.favre@gerance.ch>; pas-une-adresse, b@c.ch")
    assert recipients == [Recipient("Anne Favre", "a.favre@gerance.ch"), Recipient("", "b@c.ch")]
    assert len(errors) == 1 and "pas-une-adresse" in errors[0]


def test_no_header_can_carry_a_line_break():
    _recipients, errors = recipients_parse("Evil\r\nBcc: victim@x.ch <a@b.ch>")
    assert errors
