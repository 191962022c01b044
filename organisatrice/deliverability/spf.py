"""SPF evaluated as a receiver does (RFC 7208 check_host), not compared as a string.

A record with other includes that still authorises the relay passes; one that would make a
receiver give up (two records, a syntax error, more than 10 DNS lookups, more than 2 void
lookups) is a permerror, as it is for them. Evaluated twice: as receivers do (stopping at
the first match) for the result, and through every term for the lookups a receiver may need.
"""

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass
from enum import StrEnum

from .dnsquery import Dns, DnsUnavailable

LOOKUP_LIMIT = 10
VOID_LOOKUP_LIMIT = 2
MX_HOST_LIMIT = 10
PTR_NAME_LIMIT = 10

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SpfResult(StrEnum):
    PASS = "pass"  # noqa: S105 -- the SPF result, not a password
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


QUALIFIERS = {"+": SpfResult.PASS, "-": SpfResult.FAIL, "~": SpfResult.SOFTFAIL, "?": SpfResult.NEUTRAL}
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
_MODIFIER = re.compile(r"^([a-zA-Z][a-zA-Z0-9_.\-]*)=(.*)$")
_MECHANISM = re.compile(r"^([+\-~?]?)([a-zA-Z0-9]+)(?::([^/]*))?(?:/(\d+))?(?://(\d+))?$")
_MACRO = re.compile(r"%(?:\{([slodiphvSLODIPHV])(\d*)(r?)([.\-+,/_=]*)\}|([%_-]))")


class PermError(Exception):
    """What makes a receiver give up on the record; `reason` says it in words a person can act on."""

    def __init__(self, reason: str, *, domain: str = "", term: str = "") -> None:
        super().__init__(reason)
        self.reason, self.domain, self.term = reason, domain, term


@dataclass(frozen=True)
class Directive:
    qualifier: str
    mechanism: str
    argument: str  # domain-spec, or the network of ip4/ip6
    cidr4: int | None
    cidr6: int | None
    text: str


@dataclass(frozen=True)
class Record:
    text: str
    directives: tuple[Directive, ...]
    redirect: str | None

    @property
    def has_all(self) -> bool:
        return any(d.mechanism == "all" for d in self.directives)


def _ip6_directive(qualifier: str, rest: str, term: str) -> Directive:
    address, _, length = rest.partition("/")
    if not address or (length and not length.isdigit()):
        raise PermError("syntax", term=term)
    return Directive(qualifier, "ip6", address, None, int(length) if length else None, term)


def record_parse(text: str) -> Record:
    """The record's terms; PermError(syntax, term=…) for one a receiver would refuse."""
    terms = text.split()
    if not terms or terms[0].lower() != "v=spf1":
        raise PermError("syntax", term=text)
    directives: list[Directive] = []
    redirect: str | None = None
    for term in terms[1:]:
        lowered = term.lower()
        qualifier = term[0] if term[0] in QUALIFIERS else "+"
        bare = lowered[1:] if term[0] in QUALIFIERS else lowered
        if bare.startswith("ip6:"):
            directives.append(_ip6_directive(qualifier, term[len(term) - len(bare) + 4 :], term))
            continue
        modifier = _MODIFIER.match(term)
        if modifier and not bare.startswith(("ip4:", "include:", "a:", "mx:", "ptr:", "exists:")):
            if modifier.group(1).lower() == "redirect":
                if redirect is not None:
                    raise PermError("syntax", term=term)
                redirect = modifier.group(2)
            continue  # exp= and unknown modifiers change nothing to the result
        found = _MECHANISM.match(term)
        if not found or found.group(2).lower() not in MECHANISMS:
            raise PermError("syntax", term=term)
        mechanism, argument = found.group(2).lower(), found.group(3) or ""
        cidr4 = int(found.group(4)) if found.group(4) else None
        cidr6 = int(found.group(5)) if found.group(5) else None
        needs_argument = mechanism in ("include", "exists", "ip4")
        if (needs_argument and not argument) or (mechanism == "all" and (argument or cidr4 or cidr6)):
            raise PermError("syntax", term=term)
        if (cidr4 is not None and cidr4 > 32) or (cidr6 is not None and cidr6 > 128):
            raise PermError("syntax", term=term)
        directives.append(Directive(qualifier, mechanism, argument, cidr4, cidr6, term))
    return Record(text=text, directives=tuple(directives), redirect=redirect)


def spf_records(dns: Dns, domain: str) -> list[str]:
    """The SPF records of the domain: TXT records that begin with "v=spf1" (RFC 7208 §4.5)."""
    return [r for r in dns.txt(domain) if r.lower() == "v=spf1" or r.lower().startswith("v=spf1 ")]


@dataclass(frozen=True)
class SpfEvaluation:
    result: SpfResult
    lookups: int
    error: PermError | None = None


class _Evaluator:
    def __init__(self, dns: Dns, ip: IpAddress, sender: str, *, exhaustive: bool) -> None:
        self.dns, self.ip, self.sender, self.exhaustive = dns, ip, sender, exhaustive
        self.lookups = 0
        self.void = 0

    # --- Counting -------------------------------------------------------------------------

    def _count(self, term: str) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise PermError("lookups", term=term)

    def _void(self, empty: bool, term: str) -> None:
        if empty:
            self.void += 1
            if self.void > VOID_LOOKUP_LIMIT:
                raise PermError("void", term=term)

    # --- Macros (RFC 7208 §7) ---------------------------------------------------------------

    def _letter(self, letter: str, domain: str) -> str:
        local, _, sender_domain = self.sender.rpartition("@")
        if letter == "i":
            if self.ip.version == 4:
                return str(self.ip)
            return ".".join(self.ip.exploded.replace(":", ""))
        return {
            "s": self.sender,
            "l": local or "postmaster",
            "o": sender_domain,
            "d": domain,
            "p": "unknown",
            "v": "in-addr" if self.ip.version == 4 else "ip6",
            "h": sender_domain,
        }[letter]

    def expand(self, spec: str, domain: str, term: str) -> str:
        def replace(found: re.Match[str]) -> str:
            if found.group(5):
                return {"%": "%", "_": " ", "-": "%20"}[found.group(5)]
            letter, digits, reverse, delimiters = found.groups()[:4]
            parts = re.split("[" + re.escape(delimiters or ".") + "]", self._letter(letter.lower(), domain))
            if reverse:
                parts.reverse()
            if digits:
                if int(digits) == 0:
                    raise PermError("syntax", term=term)
                parts = parts[-int(digits) :]
            value = ".".join(parts)
            return urllib.parse.quote(value, safe="") if letter.isupper() else value

        if "%" in _MACRO.sub("", spec):
            raise PermError("syntax", term=term)
        expanded = _MACRO.sub(replace, spec)
        while len(expanded) > 253 and "." in expanded:
            expanded = expanded.split(".", 1)[1]
        return expanded.rstrip(".")

    # --- Mechanisms -------------------------------------------------------------------------

    def _in(self, addresses: list[str], directive: Directive) -> bool:
        length = directive.cidr4 if self.ip.version == 4 else directive.cidr6
        for address in addresses:
            network = ipaddress.ip_network(
                f"{address}/{length if length is not None else self.ip.max_prefixlen}", False
            )
            if self.ip in network:
                return True
        return False

    def _families(self) -> tuple[str, ...]:
        return ("A",) if self.ip.version == 4 else ("AAAA",)

    def _matches(self, directive: Directive, domain: str) -> bool:
        term, mechanism = directive.text, directive.mechanism
        if mechanism == "all":
            return True
        if mechanism in ("ip4", "ip6"):
            length = directive.cidr6 if mechanism == "ip6" else directive.cidr4
            try:
                suffix = f"/{length}" if length is not None else ""
                network = ipaddress.ip_network(directive.argument + suffix, strict=False)
            except ValueError:
                raise PermError("syntax", term=term) from None
            if network.version != (4 if mechanism == "ip4" else 6):
                raise PermError("syntax", term=term)
            return self.ip.version == network.version and self.ip in network
        self._count(term)
        target = self.expand(directive.argument, domain, term) if directive.argument else domain
        if mechanism == "include":
            result = self.check_host(target)
            if result is SpfResult.TEMPERROR:
                raise DnsUnavailable(target)
            if result in (SpfResult.PERMERROR, SpfResult.NONE):
                raise PermError("include", domain=target, term=term)
            return result is SpfResult.PASS
        if mechanism == "a":
            addresses = self.dns.addresses(target, families=self._families())
            self._void(not addresses, term)
            return self._in(addresses, directive)
        if mechanism == "mx":
            hosts = [host for _preference, host in self.dns.mx(target) if host]
            self._void(not hosts, term)
            if len(hosts) > MX_HOST_LIMIT:
                raise PermError("mx", domain=target, term=term)
            return any(self._in(self.dns.addresses(host, families=self._families()), directive) for host in hosts)
        if mechanism == "exists":
            found = self.dns.addresses(target, families=("A",))
            self._void(not found, term)
            return bool(found)
        # ptr (discouraged by RFC 7208, still honoured): a name of the address, confirmed forward.
        names = self.dns.ptr(str(self.ip))[:PTR_NAME_LIMIT]
        return any(
            (name == target or name.endswith("." + target))
            and str(self.ip) in self.dns.addresses(name, families=self._families())
            for name in names
        )

    def check_host(self, domain: str) -> SpfResult:
        records = spf_records(self.dns, domain)
        if not records:
            return SpfResult.NONE
        if len(records) > 1:
            raise PermError("records", domain=domain)
        record = record_parse(records[0])
        result: SpfResult | None = None
        for directive in record.directives:
            if self._matches(directive, domain) and result is None:
                result = QUALIFIERS[directive.qualifier]
                if not self.exhaustive:
                    return result
        if record.redirect is not None and not record.has_all and (result is None or self.exhaustive):
            self._count("redirect=" + record.redirect)
            target = self.expand(record.redirect, domain, "redirect=" + record.redirect)
            redirected = self.check_host(target)
            if redirected is SpfResult.NONE:
                raise PermError("include", domain=target, term="redirect=" + record.redirect)
            result = result or redirected
        return result or SpfResult.NEUTRAL


def spf_evaluate(dns: Dns, *, ip: str, domain: str, sender: str, exhaustive: bool = False) -> SpfEvaluation:
    """The result a receiver gets for mail from `ip` with this envelope sender.

    With `exhaustive`, every term is followed whatever matched first, to count the lookups
    the record may need (the result is then that of the first match, or the error met).
    """
    evaluator = _Evaluator(dns, ipaddress.ip_address(ip), sender, exhaustive=exhaustive)
    try:
        return SpfEvaluation(evaluator.check_host(domain), evaluator.lookups)
    except PermError as error:
        return SpfEvaluation(SpfResult.PERMERROR, evaluator.lookups, error)
    except DnsUnavailable:
        return SpfEvaluation(SpfResult.TEMPERROR, evaluator.lookups)
