"""`manage.py dkim_key create --domain D --selector S` and `manage.py dkim_key list`."""

import io

import pytest
from django.core.management import CommandError, call_command

from organisatrice.deliverability.models import DkimKey

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> str:
    output = io.StringIO()
    call_command("dkim_key", *arguments, stdout=output)
    return output.getvalue()


def test_create_makes_the_signing_key_and_prints_its_record():
    printed = run("create", "--domain", "dupont-sa.ch", "--selector", "org2026")

    key = DkimKey.objects.get()
    assert key.status == DkimKey.Status.SIGNING
    assert "org2026._domainkey.dupont-sa.ch" in printed and key.record_value in printed
    assert 'org2026._domainkey.dupont-sa.ch. 3600 IN TXT "v=DKIM1; k=rsa; p=' in printed
    assert "PRIVATE" not in printed


def test_a_new_selector_replaces_the_signing_key_and_list_says_which_signs():
    run("create", "--domain", "dupont-sa.ch", "--selector", "org2025")
    run("create", "--domain", "dupont-sa.ch", "--selector", "org2026")
    run("create", "--domain", "dupont-sa.ch", "--selector", "ed2026", "--algorithm", "ed25519-sha256")

    listed = run("list").splitlines()

    assert [line.split()[:4] for line in listed[:3]] == [
        ["*", "ed2026._domainkey.dupont-sa.ch", "ed25519-sha256", "signing"],
        ["*", "org2026._domainkey.dupont-sa.ch", "rsa-sha256", "signing"],
        ["org2025._domainkey.dupont-sa.ch", "rsa-sha256", "retired", listed[2].split()[3]],
    ]


def test_list_without_keys_and_bad_input():
    assert "Aucune clé DKIM" in run("list")
    with pytest.raises(CommandError, match="n'est pas un nom de domaine"):
        run("create", "--domain", "not a domain", "--selector", "s1")
    with pytest.raises(CommandError, match="ne peut pas être lu"):
        run("create", "--domain", "dupont-sa.ch", "--selector", "s1", "--private-key-file", "/nonexistent.pem")
    assert not DkimKey.objects.exists()
