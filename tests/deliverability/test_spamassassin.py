"""SpamAssassin (Debian, its shipped rules only, every DNS query to the test's own knot) scores
the message of each template type, as the relay received it, at 1.0 or less, its DKIM
signature checked against the test DNS server: DKIM_VALID and DKIM_VALID_AU."""

import io
import re
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from organisatrice.content_store import blob_read
from organisatrice.deliverability.services import dkim_key_create
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.outbox.tasks import deliver_due

from .conftest import SENDING_DOMAIN, dkim_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("spamassassin") is None, reason="Debian package spamassassin"),
]

TEMPLATE_TYPES = ["work_report", "photo_documentation", "offer", "free"]
SCORE_LIMIT = 1.0


def spamassassin_report(raw: bytes, knot) -> tuple[float, set[str], str]:
    """The score and the rules that hit, from `spamassassin -t` against the test DNS server."""
    done = subprocess.run(
        [
            "spamassassin",
            "-t",
            f"--cf=dns_server {knot.host}:{knot.port}",
            "--cf=dns_available yes",
            # No network test: no blocklist, no Razor, Pyzor or DCC; DNS only for DKIM, at knot.
            "--cf=skip_rbl_checks 1",
            "--cf=use_razor2 0",
            "--cf=use_pyzor 0",
            "--cf=use_dcc 0",
        ],
        input=raw,
        capture_output=True,
        timeout=120,
        check=False,
    )
    report = done.stdout.decode("utf-8", errors="replace")
    status = re.search(
        r"^X-Spam-Status: \w+, score=(-?[\d.]+) .*?tests=(.*?)(?:\s+autolearn|\s+version)", report, re.M | re.S
    )
    assert status, report[-3000:] + done.stderr.decode(errors="replace")[-2000:]
    tests = {name.strip() for name in re.split(r"[,\s]+", status.group(2)) if name.strip()}
    return float(status.group(1)), tests, report


def _logo_png() -> bytes:
    image = Image.new("RGB", (600, 200), (20, 60, 140))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def _publish_domain(knot) -> None:
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    knot.set_records(
        SENDING_DOMAIN,
        [dkim_record(key), '@ TXT "v=spf1 ip4:127.0.0.1 -all"', '_dmarc TXT "v=DMARC1; p=reject"', "@ MX 10 mx",
         "mx A 127.0.0.1"],
    )  # fmt: skip


def _received(drafts, smtp_server) -> list[bytes]:
    """Each draft sent, delivered to the real SMTP server, and the bytes it received."""
    sent = [email_send(draft=draft, employee=draft.author) for draft in drafts]
    deliver_due(worker="test")
    received = {message.message_id: message.data for message in smtp_server.wait_for(len(sent))}
    assert all(received[email.message_id] == blob_read(email.raw_sha256) for email in sent)
    return [received[email.message_id] for email in sent]


def test_each_template_types_message_scores_low_with_a_valid_aligned_signature(
    company, draft_of_type, dns_zone, smtp_settings, smtp_server
):
    # A logo configured, as the demo company has, but not in the signature: the default.
    company.logo.save("logo.png", ContentFile(_logo_png()), save=True)
    assert company.logo_in_emails is False
    _publish_domain(dns_zone)

    scores = {}
    for code, raw in zip(TEMPLATE_TYPES, _received(map(draft_of_type, TEMPLATE_TYPES), smtp_server), strict=True):
        assert b"Content-Type: image/png" not in raw, code
        score, tests, _report = spamassassin_report(raw, dns_zone)
        scores[code] = (score, sorted(tests))
        assert {"DKIM_SIGNED", "DKIM_VALID", "DKIM_VALID_AU"} <= tests, (code, tests)
    print(scores)  # shown with -s: what each message scored, and why
    assert all(score <= SCORE_LIMIT for score, _tests in scores.values()), scores


def test_the_logo_costs_only_spamassassins_image_rule(company, draft_of_type, dns_zone, smtp_settings, smtp_server):
    # An <img> beside less than 3,200 bytes of text hits HTML_IMAGE_ONLY_04…32 (0.6–2.1 points),
    # whatever the image: the price of a logo in the signature, and nothing else, which is why
    # CompanySettings.logo_in_emails is off unless the company turns it on.
    _publish_domain(dns_zone)
    [plain] = _received([draft_of_type("work_report")], smtp_server)
    company.logo_in_emails = True
    company.logo.save("logo.png", ContentFile(_logo_png()), save=True)
    [with_logo] = _received([draft_of_type("work_report")], smtp_server)
    assert b"Content-Type: image/png" in with_logo and b"Content-Type: image/png" not in plain

    plain_score, plain_tests, _ = spamassassin_report(plain, dns_zone)
    logo_score, logo_tests, _ = spamassassin_report(with_logo, dns_zone)

    print({"without logo": plain_score, "with logo": logo_score, "added": sorted(logo_tests - plain_tests)})
    assert {"DKIM_VALID", "DKIM_VALID_AU"} <= logo_tests
    assert all(re.fullmatch(r"HTML_IMAGE_ONLY_\d\d", name) for name in logo_tests - plain_tests)
    assert plain_tests - logo_tests == set() and logo_score - plain_score <= 2.2
