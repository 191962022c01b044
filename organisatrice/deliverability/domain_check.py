"""The sending domain's DNS, checked the way receivers read it: SPF, DKIM, DMARC and MX.

Each verdict says what was found and, where something is missing or wrong, the exact record
to publish, in the user's language. Records are evaluated, never compared as strings: an SPF
record with other includes that still authorises the relay passes, a DKIM key is compared
by its bytes, a DMARC record by its tags.
"""

import base64
import binascii
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from .dnsquery import Dns, DnsUnavailable, relay_addresses
from .models import DkimAlgorithm, DkimKey
from .selectors import dkim_keys_of_domain, dkim_keys_signing_for
from .spf import SpfEvaluation, SpfResult, spf_evaluate, spf_records

# A TXT string holds at most 255 bytes; longer values are published as several strings.
TXT_STRING_MAX = 255


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    MISSING = "missing"
    WRONG = "wrong"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    value: str

    @property
    def zone_line(self) -> str:
        """The record as a zone file line, a long TXT value cut into strings of 255."""
        if self.type != "TXT":
            return f"{self.name}. 3600 IN {self.type} {self.value}"
        chunks = [self.value[i : i + TXT_STRING_MAX] for i in range(0, len(self.value), TXT_STRING_MAX)] or [""]
        return f"{self.name}. 3600 IN TXT " + " ".join(f'"{chunk}"' for chunk in chunks)


@dataclass(frozen=True)
class Verdict:
    kind: str  # "spf", "dkim", "dmarc", "mx"
    status: Status
    summary: str
    details: tuple[str, ...] = ()
    publish: DnsRecord | None = None
    key: DkimKey | None = None  # the DKIM key this verdict is about

    @property
    def passed(self) -> bool:
        return self.status in (Status.OK, Status.WARNING)


@dataclass(frozen=True)
class DomainCheck:
    domain: str
    relay: str
    relay_addresses: tuple[str, ...]
    verdicts: list[Verdict] = field(default_factory=list)


def _unavailable(kind: str, name: str) -> Verdict:
    return Verdict(
        kind,
        Status.UNAVAILABLE,
        _("Le DNS n'a pas répondu pour %(name)s : réessayez dans un moment.") % {"name": name},
    )


# --- SPF ----------------------------------------------------------------------------------


def _ip_terms(addresses: tuple[str, ...]) -> list[str]:
    return [("ip6:" if ":" in address else "ip4:") + address for address in addresses]


def _spf_record(domain: str, terms: list[str]) -> DnsRecord:
    return DnsRecord(domain, "TXT", " ".join(["v=spf1", *terms]))


def _spf_with_relay(domain: str, record: str, addresses: tuple[str, ...], *, drop: str = "") -> DnsRecord:
    """The record with the relay's addresses first (they match before any lookup), `drop` left out."""
    kept = [term for term in record.split()[1:] if term != drop and term not in _ip_terms(addresses)]
    return _spf_record(domain, [*_ip_terms(addresses), *kept])


def _spf_error_text(evaluation: SpfEvaluation) -> str:
    error = evaluation.error
    reason = error.reason if error else ""
    if reason == "lookups":
        return _(
            "Il demande plus de 10 requêtes DNS (include, a, mx, ptr, exists, redirect) : les destinataires "
            "l'abandonnent (permerror). Remplacez des include par les adresses (ip4:/ip6:) qu'ils donnent."
        )
    if reason == "void":
        return _("Plus de deux de ses noms n'existent pas ou n'ont pas d'adresse (« %(term)s ») : permerror.") % {
            "term": error.term if error else ""
        }
    if reason in ("include", "records"):
        return _("« %(term)s » renvoie à %(domain)s, qui n'a pas un (et un seul) enregistrement SPF : permerror.") % {
            "term": error.term if error else "",
            "domain": error.domain if error else "",
        }
    if reason == "mx":
        return _("Le MX de %(domain)s a plus de 10 serveurs : permerror.") % {"domain": error.domain if error else ""}
    return _("Le terme « %(term)s » n'est pas du SPF valable : les destinataires ignorent tout l'enregistrement.") % {
        "term": error.term if error else ""
    }


def spf_verdict(dns: Dns, *, domain: str, sender: str, addresses: tuple[str, ...], relay: str) -> Verdict:
    records = spf_records(dns, domain)
    if not records:
        return Verdict(
            "spf",
            Status.MISSING,
            _("Aucun enregistrement SPF : les destinataires ne savent pas que le relais %(relay)s envoie pour vous.")
            % {"relay": relay},
            (_("Ajoutez à cet enregistrement les autres serveurs qui envoient pour ce domaine."),),
            _spf_record(domain, [*_ip_terms(addresses), "~all"]),
        )
    if len(records) > 1:
        # In a stable order (the DNS gives none); the strict -all only if every record had it.
        merged: list[str] = []
        alls: set[str] = set()
        for record in sorted(records):
            for term in record.split()[1:]:
                if term.lstrip("+-~?").lower() == "all":
                    alls.add(term)
                elif term not in merged:
                    merged.append(term)
        last_all = "-all" if alls == {"-all"} and all("-all" in r.split() for r in records) else "~all"
        return Verdict(
            "spf",
            Status.WRONG,
            _("%(count)d enregistrements SPF : les destinataires n'en acceptent qu'un (permerror).")
            % {"count": len(records)},
            (_("Remplacez-les par un seul, qui réunit leurs termes :"),),
            _spf_with_relay(domain, " ".join(["v=spf1", *merged, last_all]), addresses),
        )
    record = records[0]
    evaluations = {a: spf_evaluate(dns, ip=a, domain=domain, sender=sender) for a in addresses}
    failed = {a: e for a, e in evaluations.items() if e.result is not SpfResult.PASS}
    if any(e.result is SpfResult.TEMPERROR for e in evaluations.values()):
        return _unavailable("spf", domain)
    errors = [e for e in failed.values() if e.result is SpfResult.PERMERROR]
    if errors:
        error = errors[0].error
        drop = error.term if error and error.reason in ("syntax", "include") else ""
        publish = (
            None
            if error and error.reason in ("lookups", "mx")
            else _spf_with_relay(domain, record, addresses, drop=drop)
        )
        return Verdict("spf", Status.WRONG, _spf_error_text(errors[0]), (record,), publish)
    if failed:
        return Verdict(
            "spf",
            Status.WRONG,
            _("L'enregistrement SPF n'autorise pas le relais %(relay)s (%(details)s).")
            % {"relay": relay, "details": ", ".join(f"{a} : {e.result}" for a, e in failed.items())},
            (record, _("Ajoutez-y les adresses du relais :")),
            _spf_with_relay(domain, record, addresses),
        )
    worst = spf_evaluate(dns, ip=addresses[0], domain=domain, sender=sender, exhaustive=True)
    if worst.result is SpfResult.PERMERROR:
        return Verdict("spf", Status.WRONG, _spf_error_text(worst), (record,))
    return Verdict(
        "spf",
        Status.OK,
        _("L'enregistrement SPF autorise le relais %(relay)s (%(addresses)s) ; %(lookups)d requête(s) DNS sur 10.")
        % {"relay": relay, "addresses": ", ".join(addresses), "lookups": worst.lookups},
        (record,),
    )


# --- DKIM ---------------------------------------------------------------------------------


def tags_parse(text: str) -> dict[str, str]:
    """A tag=value list (DKIM, DMARC): names lower case, values stripped; malformed tags dropped."""
    tags: dict[str, str] = {}
    for item in text.split(";"):
        name, equals, value = item.partition("=")
        if equals and name.strip():
            tags.setdefault(name.strip().lower(), value.strip())
    return tags


def _key_bytes(value: str) -> bytes | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def dkim_key_verdict(dns: Dns, key: DkimKey) -> Verdict:
    publish = DnsRecord(key.record_name, "TXT", key.record_value)
    try:
        records = [tags_parse(r) for r in dns.txt(key.record_name)]
    except DnsUnavailable:
        return _unavailable("dkim", key.record_name)
    records = [tags for tags in records if "p" in tags]
    if not records:
        return Verdict(
            "dkim",
            Status.MISSING,
            _("La clé publique du sélecteur « %(selector)s » n'est pas publiée à %(name)s.")
            % {"selector": key.selector, "name": key.record_name},
            (),
            publish,
            key,
        )
    published = records[0]
    if len(records) > 1 or published.get("v", "DKIM1") != "DKIM1" or published.get("k", "rsa") != key.key_type:
        problem = _("L'enregistrement publié à %(name)s n'est pas une clé DKIM %(type)s valable.") % {
            "name": key.record_name,
            "type": key.key_type,
        }
        return Verdict("dkim", Status.WRONG, problem, (), publish, key)
    if _key_bytes(published["p"]) != _key_bytes(key.public_key):
        return Verdict(
            "dkim",
            Status.WRONG,
            _("La clé publiée à %(name)s n'est pas la nôtre (ou elle est révoquée) : les signatures échouent.")
            % {"name": key.record_name},
            (),
            publish,
            key,
        )
    if key.status == DkimKey.Status.PENDING:
        summary = _("La clé « %(selector)s » est publiée et identique : elle peut signer (activez-la).")
    else:
        summary = _("La clé « %(selector)s » est publiée et identique à celle qui signe.")
    return Verdict("dkim", Status.OK, summary % {"selector": key.selector}, (), None, key)


def dkim_verdicts(dns: Dns, *, sender: str) -> list[Verdict]:
    signing = dkim_keys_signing_for(sender)
    domain = signing[0].domain if signing else sender.rpartition("@")[2]
    keys = dkim_keys_of_domain(domain)
    if not keys:
        return [
            Verdict(
                "dkim",
                Status.MISSING,
                _("Aucune clé DKIM pour %(domain)s : les eMails partent sans signature.") % {"domain": domain},
                (_("Créez une clé (Backoffice, clés DKIM, Ajouter), puis publiez l'enregistrement qu'elle donne."),),
            )
        ]
    verdicts = [dkim_key_verdict(dns, key) for key in keys]
    if not signing:
        verdicts.append(
            Verdict("dkim", Status.WRONG, _("Aucune clé ne signe encore : activez une clé publiée."), (), None)
        )
    elif all(key.algorithm == DkimAlgorithm.ED25519 for key in signing):
        verdicts.append(
            Verdict(
                "dkim",
                Status.WRONG,
                _("Seule une clé Ed25519 signe : Gmail et bien d'autres ne la vérifient pas. Ajoutez une clé RSA."),
            )
        )
    return verdicts


def dkim_key_published(key: DkimKey) -> Verdict:
    """The key's record as the DNS has it now: OK when it may be switched to signing."""
    return dkim_key_verdict(Dns(), key)


# --- DMARC --------------------------------------------------------------------------------


def _organisational(domain: str) -> str:
    # The last two labels: right for .ch and most domains, without the public suffix list.
    return ".".join(domain.split(".")[-2:])


def _aligned(domain: str, other: str, mode: str) -> bool:
    if mode == "s":
        return domain == other
    return _organisational(domain) == _organisational(other)


def dmarc_verdict(dns: Dns, *, domain: str, spf: Verdict, dkim: list[Verdict]) -> Verdict:
    names = [f"_dmarc.{domain}"]
    if _organisational(domain) != domain:
        names.append(f"_dmarc.{_organisational(domain)}")
    records: list[str] = []
    name = names[0]
    for name in names:
        records = [r for r in dns.txt(name) if r.replace(" ", "").startswith("v=DMARC1")]
        if records:
            break
    signing_keys = [v.key for v in dkim if v.key is not None and v.key.status == DkimKey.Status.SIGNING and v.passed]
    proposal = "v=DMARC1; p=quarantine; adkim=r; aspf=r" if spf.passed or signing_keys else "v=DMARC1; p=none"
    publish = DnsRecord(names[0], "TXT", proposal)
    if not records:
        return Verdict(
            "dmarc",
            Status.MISSING,
            _("Aucun enregistrement DMARC : Gmail et Yahoo l'exigent des expéditeurs réguliers."),
            (),
            publish,
        )
    tags = tags_parse(records[0])
    policy = tags.get("p", "")
    if len(records) > 1 or policy not in ("none", "quarantine", "reject"):
        return Verdict(
            "dmarc",
            Status.WRONG,
            _("L'enregistrement DMARC de %(name)s n'est pas valable (un seul, avec p=none, quarantine ou reject).")
            % {"name": name},
            tuple(records),
            publish,
        )
    dkim_aligned = any(_aligned(domain, key.domain, tags.get("adkim", "r")) for key in signing_keys)
    # The envelope sender is on the From address's domain (the From address, or its VERP form
    # local+token@domain): SPF aligns when it passes.
    spf_aligned = spf.passed
    details = (
        records[0],
        _("Alignement DKIM : %(dkim)s ; alignement SPF : %(spf)s.")
        % {"dkim": _("oui") if dkim_aligned else _("non"), "spf": _("oui") if spf_aligned else _("non")},
    )
    if not (dkim_aligned or spf_aligned):
        return Verdict(
            "dmarc",
            Status.WRONG,
            _("Ni DKIM ni SPF ne passent alignés avec %(domain)s : DMARC échoue (politique %(policy)s).")
            % {"domain": domain, "policy": policy},
            details,
        )
    if policy == "none":
        return Verdict(
            "dmarc",
            Status.WARNING,
            _("DMARC passe, en politique « none » : elle observe sans protéger le domaine contre l'usurpation."),
            details,
            DnsRecord(name, "TXT", records[0].replace("p=none", "p=quarantine", 1)),
        )
    return Verdict(
        "dmarc", Status.OK, _("DMARC passe, aligné, en politique « %(policy)s ».") % {"policy": policy}, details
    )


# --- MX -----------------------------------------------------------------------------------


def mx_verdict(dns: Dns, *, domain: str) -> Verdict:
    publish = DnsRecord(domain, "MX", f"10 mx.{domain}.")
    hint = (_("Remplacez mx.%(domain)s par le serveur de votre messagerie.") % {"domain": domain},)
    hosts = dns.mx(domain)
    if not hosts:
        return Verdict(
            "mx",
            Status.MISSING,
            _("%(domain)s n'a pas de MX : les réponses et les avis de non-remise ne peuvent pas lui parvenir.")
            % {"domain": domain},
            hint,
            publish,
        )
    if any(host == "" for _preference, host in hosts):
        return Verdict(
            "mx",
            Status.WRONG,
            _("%(domain)s déclare ne recevoir aucun eMail (MX nul) : des destinataires refusent ses envois.")
            % {"domain": domain},
            hint,
            publish,
        )
    unreachable = [host for _preference, host in hosts if not dns.addresses(host)]
    listed = tuple(f"{preference} {host}" for preference, host in hosts)
    if len(unreachable) == len(hosts):
        return Verdict(
            "mx",
            Status.WRONG,
            _("Aucun serveur MX de %(domain)s n'a d'adresse (%(hosts)s).")
            % {"domain": domain, "hosts": ", ".join(unreachable)},
            listed + hint,
            publish,
        )
    return Verdict("mx", Status.OK, _("%(domain)s reçoit ses eMails (MX).") % {"domain": domain}, listed)


def domain_check(*, sender_address: str, relay_host: str) -> DomainCheck:
    """Every verdict for mail From `sender_address` handed to the relay `relay_host`."""
    dns = Dns()
    domain = sender_address.rpartition("@")[2].lower()
    try:
        addresses = tuple(relay_addresses(dns, relay_host))
    except DnsUnavailable:
        addresses = ()
    verdicts: list[Verdict] = []
    if not addresses:
        spf = Verdict(
            "spf",
            Status.UNAVAILABLE,
            _("Le nom du relais %(relay)s (EMAIL_HOST) n'a pas d'adresse : SPF ne peut pas être vérifié.")
            % {"relay": relay_host},
        )
    else:
        try:
            spf = spf_verdict(dns, domain=domain, sender=sender_address, addresses=addresses, relay=relay_host)
        except DnsUnavailable:
            spf = _unavailable("spf", domain)
    verdicts.append(spf)
    dkim = dkim_verdicts(dns, sender=sender_address)
    verdicts.extend(dkim)
    for kind, check in (
        ("dmarc", lambda: dmarc_verdict(dns, domain=domain, spf=spf, dkim=dkim)),
        ("mx", lambda: mx_verdict(dns, domain=domain)),
    ):
        try:
            verdicts.append(check())
        except DnsUnavailable:
            verdicts.append(_unavailable(kind, domain))
    return DomainCheck(domain=domain, relay=relay_host, relay_addresses=addresses, verdicts=verdicts)
