"""Each email's own envelope sender (VERP) and its token, which a forger cannot make up."""

import pytest

from organisatrice.emails.outbox.envelope import (
    delivery_token,
    delivery_token_email_id,
    envelope_sender,
    verp_address,
)
from organisatrice.emails.outbox.smtp import xtext
from tests.emails.outgoing import outgoing_email_create

pytestmark = pytest.mark.django_db


def test_the_envelope_sender_carries_the_emails_token_unless_verp_is_off(settings):
    email = outgoing_email_create(enqueue=False)
    assert envelope_sender(email) == f"envoi+{delivery_token(email.pk)}@dupont-sa.ch"
    assert delivery_token_email_id(envelope_sender(email).upper()) == email.pk  # an MTA may change the case

    settings.EMAIL_VERP = False
    assert envelope_sender(email) == "envoi@dupont-sa.ch"


def test_a_token_with_another_signature_or_for_another_email_names_nothing():
    token = delivery_token(42)
    signature = token.split("-")[1]
    assert delivery_token_email_id(token) == 42
    assert delivery_token_email_id(f"e43-{signature}") is None
    assert delivery_token_email_id(f"e42-{signature[::-1]}") is None
    assert delivery_token_email_id("noreply@dupont-sa.ch") is None


def test_the_envid_and_orcpt_are_written_as_xtext():
    assert xtext("e42-1a2b3c4d5e") == "e42-1a2b3c4d5e"
    assert xtext("a+b=c d@é") == "a+2Bb+3Dc+20d@+C3+A9"
    assert verp_address("no-at-sign", 1) == "no-at-sign"
