"""What every mail program needs to show the message well: attachment names old readers know
(`name=` beside RFC 2231's `filename*`), Date in the company's time zone, an HTML body that
needs nothing from outside, the logo inside the message, a text part that stands alone."""

import email
import email.policy
import io
import random
import re
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from organisatrice.content_store import blob_read
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.message import styles
from organisatrice.emails.message.bodies import EmailParts, body_html, body_text
from organisatrice.emails.message.intent import InlineImage
from organisatrice.emails.message.logo import LOGO_MAX_BYTES, email_logo
from organisatrice.emails.message.mime import AttachmentContent, message_build
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import EmailTemplate
from tests.factories import ContactFactory, OrderFactory

PARTS = EmailParts(
    greeting="Bonjour Madame Favre,",
    motivation="Vous trouverez ci-joint le rapport de travail.",
    body="Voir https://dupont-sa.ch/aide pour la suite.",
    closing="Meilleures salutations",
    signature="Marie Rochat\nDupont Technique SA\nTél. 021 555 12 34",
)
LOGO = InlineImage(
    content=b"\x89PNG\r\n\x1a\nfake", mime_type="image/png", content_id="logo.1@dupont-sa.ch", width=90, height=30,
    alt="Dupont Technique SA",
)  # fmt: skip


def _build(attachments, logo=None):
    return message_build(
        sender_name="Marie Rochat (Dupont Technique SA)",
        sender_address="noreply@dupont-sa.ch",
        reply_to=Recipient("Marie Rochat", "marie.rochat@dupont-sa.ch"),
        to=[Recipient("Anne Favre", "a.favre@gerance.ch")],
        cc=[],
        subject="Rapport de travail",
        text=body_text(PARTS),
        html=body_html(PARTS, language="fr", logo=logo),
        attachments=attachments,
        message_id_domain="dupont-sa.ch",
        logo=logo,
    )


def _parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize(
    "filename",
    [
        "Rapport.pdf",
        "2026-00042_Rapport-de-travail_Les-Érables_Chaufferie-principale_2026-11-28.pdf",
        "Offre n° 12 – Müller & Söhne.pdf",
        "Rapport Érables.pdf",  # one encoded word
        "a" * 120 + ".pdf",
    ],
)
def test_attachments_carry_a_plain_name_beside_rfc_2231s_filename(filename):
    raw = _build([AttachmentContent(filename, "application/pdf", b"%PDF-1.7")]).raw

    [part] = _parsed(raw).iter_attachments()
    assert part.get_filename() == filename and part.get_param("name") == filename
    head = raw.decode("ascii")
    content_type = re.search(r"Content-Type: application/pdf;\r\n((?: [^\r\n]*\r\n)+)", head).group(1)
    assert content_type.startswith(' name="')
    assert all(len(line) <= 78 or filename.isascii() for line in content_type.split("\r\n"))
    if not filename.isascii():
        assert ' name="=?utf-8?b?' in content_type and "filename*" in head
    disposition = re.search(r"Content-Disposition: attachment;?([^\r\n]*(?:\r\n [^\r\n]*)*)", head).group(1)
    assert "filename" in disposition


def test_date_is_in_the_companys_time_zone():
    date = _parsed(_build([]).raw)["Date"].datetime
    zurich = zoneinfo.ZoneInfo("Europe/Zurich")
    assert date.utcoffset() == timezone.now().astimezone(zurich).utcoffset()
    assert abs((date - timezone.now()).total_seconds()) < 60


def test_html_has_inline_styles_only_and_nothing_from_outside():
    html = body_html(PARTS, language="fr", logo=LOGO)
    assert not re.search(r"<(style|link|script|iframe|object|embed|base|meta http-equiv)", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html
    assert set(re.findall(r'style="([^"]*)"', html)) <= set(styles.ALL)
    assert re.findall(r'src="([^"]*)"', html) == ["cid:logo.1@dupont-sa.ch"]
    assert re.findall(r'href="([^"]*)"', html) == ["https://dupont-sa.ch/aide"]  # a link, not a resource


def test_the_logo_travels_inside_the_message_beside_the_html():
    parsed = _parsed(_build([AttachmentContent("Rapport.pdf", "application/pdf", b"%PDF")], logo=LOGO).raw)

    alternative, _attachment = parsed.iter_parts()
    text, related = alternative.iter_parts()
    html, image = related.iter_parts()
    assert (text.get_content_type(), related.get_content_type()) == ("text/plain", "multipart/related")
    assert image["Content-ID"] == "<logo.1@dupont-sa.ch>" and image.get_content_disposition() == "inline"
    assert 'src="cid:logo.1@dupont-sa.ch"' in html.get_content()
    assert [a.get_filename() for a in parsed.iter_attachments()] == ["Rapport.pdf"]


def test_the_text_part_reads_alone():
    text = _parsed(_build([], logo=LOGO).raw).get_body(preferencelist=("plain",)).get_content()
    for part in PARTS.in_order():
        for line in part.splitlines():
            assert line in text
    assert "cid:" not in text and "<" not in text


def _png(width: int, height: int, *, noise: bool = False) -> bytes:
    image = Image.new("RGBA", (width, height), (20, 60, 140, 255))
    if noise:
        image = Image.frombytes("RGBA", (width, height), random.Random(7).randbytes(width * height * 4))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


@pytest.mark.django_db
def test_the_company_logo_is_fitted_within_its_budget(company):
    company.logo_in_emails = True
    company.logo.save("logo.png", ContentFile(_png(1600, 400)), save=True)

    logo = email_logo(company=company)

    assert logo is not None and len(logo.content) <= LOGO_MAX_BYTES
    assert (logo.width, logo.height) == (180, 45) and logo.alt == "Dupont Technique SA"
    with Image.open(io.BytesIO(logo.content)) as image:
        assert image.size == (360, 90)
    assert logo.content_id.endswith("@dupont-sa.ch")


@pytest.mark.django_db
def test_a_logo_over_budget_or_unreadable_is_left_out(company):
    company.logo_in_emails = True
    company.logo.save("noise.png", ContentFile(_png(360, 120, noise=True)), save=True)
    assert email_logo(company=company) is None
    company.logo.save("broken.png", ContentFile(b"not an image"), save=True)
    assert email_logo(company=company) is None


def _free_draft():
    order = OrderFactory()
    contact = ContactFactory(client=order.client, email="a.favre@gerance.ch")
    template = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    return email_draft_create(order=order, author=order.responsible, template=template, contact=contact)


@pytest.mark.django_db
def test_the_logo_stays_out_of_the_email_until_the_company_turns_it_on(company, smtp_settings):
    # The default: an image beside a short text costs points with spam filters (HTML_IMAGE_ONLY_*).
    company.logo.save("logo.png", ContentFile(_png(600, 200)), save=True)
    assert company.logo_in_emails is False and email_logo(company=company) is None

    draft = _free_draft()
    sent = email_send(draft=draft, employee=draft.author)

    parsed = _parsed(blob_read(sent.raw_sha256))
    assert [part.get_content_type() for part in parsed.walk() if part.get_content_maintype() == "image"] == []
    assert "<img" not in sent.html_body and "cid:" not in sent.html_body


@pytest.mark.django_db
def test_the_switch_without_a_logo_adds_no_image(company):
    company.logo_in_emails = True
    company.save()
    assert email_logo(company=company) is None


@pytest.mark.django_db
def test_send_puts_the_logo_in_the_signature(company, smtp_settings):
    company.logo_in_emails = True
    company.logo.save("logo.png", ContentFile(_png(600, 200)), save=True)
    draft = _free_draft()

    sent = email_send(draft=draft, employee=draft.author)

    parsed = _parsed(blob_read(sent.raw_sha256))
    [image] = [part for part in parsed.walk() if part.get_content_type() == "image/png"]
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in sent.html_body
