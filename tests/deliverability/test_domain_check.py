"""The domain check against a real DNS server (knot): for each kind of record a correct, a missing
and a wrong one, and SPF evaluated (includes, redirect, macros, the 10-lookup limit)."""

import pytest
from django.utils import translation

from organisatrice.deliverability.domain_check import Status, domain_check
from organisatrice.deliverability.models import DkimAlgorithm
from organisatrice.deliverability.services import dkim_key_create
from tests.servers.knot import txt

from .conftest import SENDING_DOMAIN, dkim_record

pytestmark = pytest.mark.django_db

RELAY = "smtp.relay.test"
RELAY_IP = "192.0.2.25"
SENDER = f"noreply@{SENDING_DOMAIN}"
GOOD_MX = ["@ MX 10 mx", "mx A 192.0.2.30"]
GOOD_SPF = f'@ TXT "v=spf1 ip4:{RELAY_IP} -all"'
GOOD_DMARC = '_dmarc TXT "v=DMARC1; p=reject; adkim=s; aspf=r"'


@pytest.fixture
def zone(dns_zone):
    dns_zone.set_records("relay.test", [f"smtp A {RELAY_IP}"])
    return dns_zone


def _publish(zone, *records: str) -> None:
    zone.set_records(SENDING_DOMAIN, list(records))


def verdicts(kind: str):
    check = domain_check(sender_address=SENDER, relay_host=RELAY)
    assert check.relay_addresses == (RELAY_IP,)
    return [verdict for verdict in check.verdicts if verdict.kind == kind]


def verdict(kind: str):
    [found] = verdicts(kind)
    return found


# --- SPF ----------------------------------------------------------------------------------


def test_spf_correct(zone):
    _publish(zone, GOOD_SPF)
    spf = verdict("spf")
    assert spf.status == Status.OK and spf.publish is None
    assert "0 requête(s) DNS sur 10" in spf.summary


def test_spf_missing_gives_the_record_with_the_relays_address(zone):
    spf = verdict("spf")
    assert spf.status == Status.MISSING
    assert (spf.publish.name, spf.publish.type, spf.publish.value) == (
        SENDING_DOMAIN,
        "TXT",
        f"v=spf1 ip4:{RELAY_IP} ~all",
    )


def test_spf_that_does_not_authorise_the_relay_gets_its_address_added(zone):
    _publish(zone, '@ TXT "v=spf1 ip4:198.51.100.0/24 include:other.test -all"')
    zone.set_records("other.test", ['@ TXT "v=spf1 ip4:203.0.113.0/24 -all"'])
    spf = verdict("spf")
    assert spf.status == Status.WRONG
    assert f"{RELAY_IP} : fail" in spf.summary
    assert spf.publish.value == f"v=spf1 ip4:{RELAY_IP} ip4:198.51.100.0/24 include:other.test -all"


def test_spf_authorising_the_relay_through_another_include_passes(zone):
    # Not the relay's record word for word: two includes deep, beside another sender's include.
    _publish(zone, '@ TXT "v=spf1 mx include:other.test include:provider.test -all"', *GOOD_MX)
    zone.set_records("other.test", ['@ TXT "v=spf1 ip4:203.0.113.0/24 -all"'])
    zone.set_records(
        "provider.test",
        ['@ TXT "v=spf1 include:_spf.provider.test ~all"', '_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
    )
    spf = verdict("spf")
    assert spf.status == Status.OK, spf.summary
    assert "4 requête(s) DNS sur 10" in spf.summary


def test_spf_redirect_and_macros_are_evaluated(zone):
    _publish(zone, '@ TXT "v=spf1 redirect=provider.test"')
    zone.set_records("provider.test", ['@ TXT "v=spf1 exists:%{i}.%{o}.allow.provider.test -all"',
                                       f"{RELAY_IP}.{SENDING_DOMAIN}.allow A 127.0.0.2"])  # fmt: skip
    assert verdict("spf").status == Status.OK


def test_two_spf_records_are_merged_into_one(zone):
    _publish(zone, '@ TXT "v=spf1 include:other.test -all"', '@ TXT "v=spf1 ip4:198.51.100.7 ~all"')
    spf = verdict("spf")
    assert spf.status == Status.WRONG and "2 enregistrements SPF" in spf.summary
    assert spf.publish.value == f"v=spf1 ip4:{RELAY_IP} include:other.test ip4:198.51.100.7 ~all"


def test_spf_syntax_error_is_named_and_left_out(zone):
    _publish(zone, f'@ TXT "v=spf1 ip4:{RELAY_IP} ipv4:198.51.100.7 -all"')
    spf = verdict("spf")
    assert spf.status == Status.WRONG and "ipv4:198.51.100.7" in spf.summary
    assert spf.publish.value == f"v=spf1 ip4:{RELAY_IP} -all"


def test_spf_over_ten_lookups_fails_even_when_the_relay_matches_first(zone):
    chain = [f'l{n} TXT "v=spf1 include:l{n + 1}.other.test -all"' for n in range(1, 12)]
    zone.set_records("other.test", [*chain, 'l12 TXT "v=spf1 -all"'])
    _publish(zone, f'@ TXT "v=spf1 ip4:{RELAY_IP} include:l1.other.test -all"')
    spf = verdict("spf")
    assert spf.status == Status.WRONG and "plus de 10 requêtes DNS" in spf.summary


def test_spf_include_of_a_domain_without_spf_is_a_permerror(zone):
    _publish(zone, f'@ TXT "v=spf1 include:other.test ip4:{RELAY_IP} -all"')
    spf = verdict("spf")
    assert spf.status == Status.WRONG and "other.test" in spf.summary
    assert spf.publish.value == f"v=spf1 ip4:{RELAY_IP} -all"


# --- DKIM ---------------------------------------------------------------------------------


def test_dkim_correct(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    _publish(zone, dkim_record(key))
    [dkim] = verdicts("dkim")
    assert dkim.status == Status.OK and dkim.key == key and dkim.publish is None


def test_dkim_missing_gives_the_keys_record(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    [dkim] = verdicts("dkim")
    assert dkim.status == Status.MISSING
    assert (dkim.publish.name, dkim.publish.value) == (f"org2026._domainkey.{SENDING_DOMAIN}", key.record_value)
    assert dkim.publish.value.startswith("v=DKIM1; k=rsa; p=MIIBIjAN")
    # A zone file takes a 2048-bit key in strings of at most 255 characters.
    assert dkim.publish.zone_line.count('" "') == 1


def test_dkim_with_another_key_published_is_wrong(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    other = dkim_key_create(domain="other.test", selector="org2026")
    _publish(zone, f"org2026._domainkey TXT {txt(other.record_value)}")
    [dkim] = verdicts("dkim")
    assert dkim.status == Status.WRONG and dkim.publish.value == key.record_value


def test_dkim_published_with_other_spacing_is_the_same_key(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    spaced = f"v=DKIM1;k=rsa;  t=s; p = {key.public_key[:100]} {key.public_key[100:]}"
    _publish(zone, f"org2026._domainkey TXT {txt(spaced)}")
    assert verdicts("dkim")[0].status == Status.OK


def test_an_ed25519_key_alone_is_not_enough(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="ed2026", algorithm=DkimAlgorithm.ED25519, signing=True)
    _publish(zone, dkim_record(key))
    published, alone = verdicts("dkim")
    assert published.status == Status.OK and key.record_value.startswith("v=DKIM1; k=ed25519; p=")
    assert alone.status == Status.WRONG and "Ajoutez une clé RSA" in alone.summary


def test_no_dkim_key_at_all(zone):
    [dkim] = verdicts("dkim")
    assert dkim.status == Status.MISSING and dkim.publish is None and "Créez une clé" in dkim.details[0]


def test_a_pending_key_published_is_ready_and_a_domain_without_signing_key_is_told(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="next2027")
    _publish(zone, dkim_record(key))
    ready, no_signer = verdicts("dkim")
    assert ready.status == Status.OK and "activez-la" in ready.summary
    assert no_signer.status == Status.WRONG


# --- DMARC --------------------------------------------------------------------------------


def test_dmarc_correct_and_aligned(zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    _publish(zone, GOOD_SPF, dkim_record(key), GOOD_DMARC)
    dmarc = verdict("dmarc")
    assert dmarc.status == Status.OK and "reject" in dmarc.summary
    assert "Alignement DKIM : oui ; alignement SPF : oui." in dmarc.details


def test_dmarc_missing(zone):
    _publish(zone, GOOD_SPF)
    dmarc = verdict("dmarc")
    assert dmarc.status == Status.MISSING
    assert (dmarc.publish.name, dmarc.publish.value) == (
        f"_dmarc.{SENDING_DOMAIN}",
        "v=DMARC1; p=quarantine; adkim=r; aspf=r",
    )


def test_dmarc_with_an_unknown_policy_is_wrong(zone):
    _publish(zone, GOOD_SPF, '_dmarc TXT "v=DMARC1; p=block"')
    dmarc = verdict("dmarc")
    assert dmarc.status == Status.WRONG and dmarc.publish is not None


def test_dmarc_that_neither_spf_nor_dkim_passes_aligned(zone):
    _publish(zone, '@ TXT "v=spf1 -all"', GOOD_DMARC)
    dmarc = verdict("dmarc")
    assert dmarc.status == Status.WRONG and "Ni DKIM ni SPF" in dmarc.summary


def test_dmarc_strict_alignment_refuses_a_parents_key(zone, company):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    zone.set_records(SENDING_DOMAIN, [dkim_record(key), '_dmarc.mail TXT "v=DMARC1; p=reject; adkim=s"'])
    check = domain_check(sender_address=f"noreply@mail.{SENDING_DOMAIN}", relay_host=RELAY)
    [dmarc] = [v for v in check.verdicts if v.kind == "dmarc"]
    assert dmarc.status == Status.WRONG


def test_dmarc_policy_none_is_a_warning_with_the_stricter_record(zone):
    _publish(zone, GOOD_SPF, '_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@dupont-sa.ch"')
    dmarc = verdict("dmarc")
    assert dmarc.status == Status.WARNING
    assert dmarc.publish.value == "v=DMARC1; p=quarantine; rua=mailto:dmarc@dupont-sa.ch"


# --- MX -----------------------------------------------------------------------------------


def test_mx_correct(zone):
    _publish(zone, *GOOD_MX)
    assert verdict("mx").status == Status.OK


def test_mx_missing(zone):
    mx = verdict("mx")
    assert (
        mx.status == Status.MISSING and mx.publish.zone_line == f"{SENDING_DOMAIN}. 3600 IN MX 10 mx.{SENDING_DOMAIN}."
    )


def test_null_mx_and_mx_without_address_are_wrong(zone):
    _publish(zone, "@ MX 0 .")
    assert verdict("mx").status == Status.WRONG
    _publish(zone, "@ MX 10 nowhere")
    assert verdict("mx").status == Status.WRONG


# --- The DNS itself -----------------------------------------------------------------------


def test_a_dns_that_does_not_answer_is_said_so(settings, dns_zone):
    from tests.smtp_server import free_port

    settings.DNS_RESOLVER = f"127.0.0.1:{free_port()}"
    check = domain_check(sender_address=SENDER, relay_host=RELAY_IP)
    assert {v.status for v in check.verdicts} <= {Status.UNAVAILABLE, Status.MISSING}
    assert verdict_of(check, "spf").status == Status.UNAVAILABLE


def verdict_of(check, kind):
    return next(v for v in check.verdicts if v.kind == kind)


def test_the_verdicts_speak_the_users_language(zone):
    with translation.override("de"):
        spf = verdict("spf")
    assert spf.summary == f"Kein SPF-Eintrag: Die Empfänger wissen nicht, dass der Relay-Server {RELAY} für Sie sendet."
    with translation.override("en"):
        assert verdict("mx").summary.startswith(f"{SENDING_DOMAIN} has no MX")


def test_an_include_loop_is_cut_by_the_lookup_limit(zone):
    # Hostile or careless records cost at most 10 lookups, as for a receiver, then permerror.
    zone.set_records("other.test", ['@ TXT "v=spf1 include:provider.test -all"'])
    zone.set_records("provider.test", ['@ TXT "v=spf1 include:other.test -all"'])
    _publish(zone, '@ TXT "v=spf1 include:other.test -all"')
    spf = verdict("spf")
    assert spf.status == Status.WRONG and "plus de 10 requêtes DNS" in spf.summary
