"""DNS queries for the domain check, through dnspython.

The resolver is the system's, unless DNS_RESOLVER ("host:port") names another: the tests
point it at their own authoritative server. Every query has a short timeout, and a whole
check a deadline, so that a slow or hostile DNS cannot hold a backoffice request long.
"""

import ipaddress
import time
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.resolver
import dns.reversename
from django.conf import settings

QUERY_SECONDS = 3.0
CHECK_SECONDS = 20.0
# Past this, a TXT answer is not a record anyone publishes on purpose (SPF's own limit is 512 B
# in one UDP answer; a DKIM RSA 4096 key is under 1 KB).
TXT_MAX_CHARS = 4096


class DnsUnavailable(Exception):
    """No answer (timeout, SERVFAIL, the check's deadline): the record may exist or not."""


def resolver_make() -> dns.resolver.Resolver:
    configured = getattr(settings, "DNS_RESOLVER", "")
    if configured:
        host, _, port = configured.rpartition(":")
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host.strip("[]")]
        resolver.port = int(port)
    else:
        resolver = dns.resolver.Resolver()
    resolver.timeout = resolver.lifetime = QUERY_SECONDS
    resolver.cache = None
    return resolver


@dataclass
class Dns:
    """One check's queries: a resolver and a deadline shared by all of them."""

    resolver: dns.resolver.Resolver = field(default_factory=resolver_make)
    deadline: float = field(default_factory=lambda: time.monotonic() + CHECK_SECONDS)
    queries: int = 0

    def _answer(self, name: str, rdtype: str) -> dns.resolver.Answer | None:
        """The answer, or None when the name or the type does not exist."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DnsUnavailable(name)
        self.queries += 1
        try:
            return self.resolver.resolve(name, rdtype, lifetime=min(QUERY_SECONDS, left), search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as error:
            raise DnsUnavailable(name) from error
        except (dns.name.LabelTooLong, dns.name.NameTooLong, dns.name.EmptyLabel):
            return None

    def txt(self, name: str) -> list[str]:
        """Each TXT record of the name, its strings joined (RFC 7208 §3.3)."""
        answer = self._answer(name, "TXT")
        records = []
        for rdata in answer or []:
            text = b"".join(rdata.strings).decode("utf-8", errors="replace")
            records.append(text[:TXT_MAX_CHARS])
        return records

    def addresses(self, name: str, *, families: tuple[str, ...] = ("A", "AAAA")) -> list[str]:
        found: list[str] = []
        for rdtype in families:
            found.extend(rdata.address for rdata in self._answer(name, rdtype) or [])
        return found

    def mx(self, name: str) -> list[tuple[int, str]]:
        """(preference, host) in order of preference; host "" for a null MX (RFC 7505)."""
        answer = self._answer(name, "MX")
        hosts = [
            (rdata.preference, "" if rdata.exchange == dns.name.root else rdata.exchange.to_text(omit_final_dot=True))
            for rdata in answer or []
        ]
        return sorted(hosts)

    def ptr(self, address: str) -> list[str]:
        reverse = dns.reversename.from_address(address).to_text()
        return [rdata.target.to_text(omit_final_dot=True) for rdata in self._answer(reverse, "PTR") or []]


def relay_addresses(dns_: Dns, host: str) -> list[str]:
    """The addresses of the relay (EMAIL_HOST): itself if it is one, else what its name resolves to."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        return dns_.addresses(host)
