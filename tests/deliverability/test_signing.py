"""Signed when frozen: the archive's bytes, the .eml and what the relay received carry the same
DKIM-Signature, which dkimpy verifies against a real DNS server (knot)."""

import base64
import email
import email.policy
import hashlib
import re

import dkim
import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from organisatrice.content_store import blob_read
from organisatrice.deliverability.keys import private_key_generate
from organisatrice.deliverability.models import DkimAlgorithm, DkimKey
from organisatrice.deliverability.services import dkim_key_create
from organisatrice.emails.composer.errors import DraftInvalid
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.models import EmailDraft, OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due

from .conftest import SENDING_DOMAIN, dkim_record, knot_dnsfunc

pytestmark = pytest.mark.django_db


def _signatures(raw: bytes) -> list[dict[bytes, bytes]]:
    message = dkim.DKIM(raw)
    return [dkim.util.parse_tag_value(value) for name, value in message.headers if name.lower() == b"dkim-signature"]


def _verified(raw: bytes, knot) -> list[bool]:
    dnsfunc = knot_dnsfunc(knot)
    return [dkim.DKIM(raw).verify(idx=index, dnsfunc=dnsfunc) for index in range(len(_signatures(raw)))]


def test_the_relay_receives_the_archived_bytes_signed_and_they_verify(
    draft_of_type, dns_zone, smtp_settings, smtp_server, client
):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(key)])
    draft = draft_of_type("work_report")

    sent = email_send(draft=draft, employee=draft.author)
    deliver_due(worker="test")

    [received] = smtp_server.received
    archived = blob_read(sent.raw_sha256)
    assert received.data == archived
    assert received.data.startswith(b"DKIM-Signature: ")
    [signature] = _signatures(received.data)
    assert signature[b"d"] == SENDING_DOMAIN.encode() and signature[b"s"] == b"org2026"
    assert signature[b"a"] == b"rsa-sha256" and signature[b"c"] == b"relaxed/simple"
    signed = [name.strip() for name in signature[b"h"].split(b":")]
    assert signed == [b"from", b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"reply-to",
                      b"mime-version", b"content-type"]  # fmt: skip
    assert _verified(received.data, dns_zone) == [True]

    # The .eml of the archive is the same signed message.
    client.force_login(draft.author.user)
    draft.author.mail_permission = True
    draft.author.save()
    download = client.get(reverse("emails:raw", args=[sent.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == archived


def test_a_second_from_added_on_the_way_breaks_the_signature(draft_of_type, dns_zone, smtp_settings, smtp_server):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(key)])
    draft = draft_of_type("free")
    raw = blob_read(email_send(draft=draft, employee=draft.author).raw_sha256)

    signature_end = re.search(rb"\r\n(?=[^ \t])", raw).end()
    forged = raw[:signature_end] + b"From: Direction <ceo@dupont-sa.ch>\r\n" + raw[signature_end:]
    assert _verified(raw, dns_zone) == [True]
    assert _verified(forged, dns_zone) == [False]


def test_a_retry_sends_the_same_signed_bytes(draft_of_type, dns_zone, smtp_settings, smtp_server):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(key)])
    draft = draft_of_type("free")
    sent = email_send(draft=draft, employee=draft.author)
    smtp_server.fail_next("451 4.3.0 Try again later")
    deliver_due(worker="test")
    OutgoingEmail.objects.filter(pk=sent.pk).update(next_attempt_at=sent.created_at)
    deliver_due(worker="test")

    [(_reply, refused)] = smtp_server.answered
    [accepted] = smtp_server.received
    assert refused.data == accepted.data == blob_read(sent.raw_sha256)
    assert _verified(accepted.data, dns_zone) == [True]


def test_rsa_and_ed25519_sign_side_by_side_rsa_on_top(draft_of_type, dns_zone, smtp_settings, smtp_server):
    rsa = dkim_key_create(domain=SENDING_DOMAIN, selector="rsa2026", signing=True)
    ed = dkim_key_create(domain=SENDING_DOMAIN, selector="ed2026", algorithm=DkimAlgorithm.ED25519, signing=True)
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(rsa), dkim_record(ed)])
    draft = draft_of_type("offer")

    raw = blob_read(email_send(draft=draft, employee=draft.author).raw_sha256)

    assert [s[b"a"] for s in _signatures(raw)] == [b"rsa-sha256", b"ed25519-sha256"]
    assert _verified(raw, dns_zone) == [True, True]


def test_a_key_read_from_the_operators_file_signs(draft_of_type, dns_zone, smtp_settings, tmp_path):
    key_file = tmp_path / "dkim.pem"
    key_file.write_text(private_key_generate(DkimAlgorithm.RSA))
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="file1", private_key_path=str(key_file), signing=True)
    assert key.private_key_encrypted == ""
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(key)])
    draft = draft_of_type("free")

    raw = blob_read(email_send(draft=draft, employee=draft.author).raw_sha256)

    assert _verified(raw, dns_zone) == [True]


def test_without_a_signing_key_the_message_leaves_unsigned(draft_of_type, smtp_settings):
    dkim_key_create(domain=SENDING_DOMAIN, selector="pending1")  # pending: not published yet
    dkim_key_create(domain="other.test", selector="elsewhere", signing=True)
    draft = draft_of_type("free")

    raw = blob_read(email_send(draft=draft, employee=draft.author).raw_sha256)

    assert b"DKIM-Signature" not in raw


def test_a_key_no_configured_secret_opens_refuses_send_and_stores_nothing(draft_of_type, settings, smtp_settings):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    settings.SECRETS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was lost
    draft = draft_of_type("free")

    with pytest.raises(DraftInvalid) as refused:
        email_send(draft=draft, employee=draft.author)

    assert f"La clé DKIM {key} ne peut pas être lue" in str(refused.value.errors["draft"])
    assert not OutgoingEmail.objects.exists()
    draft.refresh_from_db()
    assert draft.status == EmailDraft.Status.EDITING


def test_a_missing_key_file_refuses_send_with_its_reason(draft_of_type, smtp_settings, tmp_path):
    key_file = tmp_path / "dkim.pem"
    key_file.write_text(private_key_generate(DkimAlgorithm.RSA))
    dkim_key_create(domain=SENDING_DOMAIN, selector="file1", private_key_path=str(key_file), signing=True)
    key_file.unlink()
    draft = draft_of_type("free")

    with pytest.raises(DraftInvalid) as refused:
        email_send(draft=draft, employee=draft.author)

    assert "ne peut pas être lu" in str(refused.value.errors["draft"])
    assert DkimKey.objects.get().status == DkimKey.Status.SIGNING


def test_the_signature_covers_headers_and_body_as_the_message_parses(draft_of_type, dns_zone, smtp_settings):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(key)])
    draft = draft_of_type("work_report")
    raw = blob_read(email_send(draft=draft, employee=draft.author).raw_sha256)

    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not message.defects
    assert next(iter(message.keys())) == "DKIM-Signature"
    assert str(message["From"]).endswith(f"<noreply@{SENDING_DOMAIN}>")


def test_the_body_hash_is_that_of_the_whole_body_as_dkimpy_parses_it(draft_of_type, dns_zone, smtp_settings):
    # Signing hands dkimpy the header alone and the body as bytes: the same hash as its own parse.
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    draft = draft_of_type("work_report")
    raw = blob_read(email_send(draft=draft, employee=draft.author).raw_sha256)
    [signature] = _signatures(raw)
    _headers, body = dkim.rfc822_parse(raw)
    expected = base64.b64encode(hashlib.sha256(dkim.canonicalization.Simple.canonicalize_body(body)).digest())
    assert signature[b"bh"] == expected and key.selector.encode() == signature[b"s"]
