"""A real authoritative DNS server (knot) per session and worker, and the settings that point at it.

`dns_zone` empties every zone served and points DNS_RESOLVER at the server; a test then
publishes the records it needs with `knot.set_records(zone, [...])`.
"""

from collections.abc import Callable, Iterator

import dns.resolver
import pytest

from organisatrice.deliverability.models import DkimKey
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.models import EmailDraft, EmailTemplate
from tests.documents.factories import PhotoFactory
from tests.emails.conftest import smtp_server, smtp_settings  # noqa: F401 -- the real SMTP server
from tests.factories import BuildingFactory, ContactFactory, OfferLineFactory, OrderFactory, WorkReportLineFactory
from tests.servers.knot import KnotServer, txt

SENDING_DOMAIN = "dupont-sa.ch"
# The company's domain; a relay provider whose SPF the company includes; another sender it
# includes too; the relay's own name.
ZONES = [SENDING_DOMAIN, "provider.test", "other.test", "relay.test"]


@pytest.fixture(scope="session")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    with KnotServer(tmp_path_factory.mktemp("knot"), zones=ZONES) as server:
        yield server


@pytest.fixture
def dns_zone(settings, knot: KnotServer) -> KnotServer:
    settings.DNS_RESOLVER = knot.resolver
    for zone in knot.zones:
        if knot.records[zone]:
            knot.set_records(zone, [])
    return knot


def dkim_record(key: DkimKey) -> str:
    """The zone line publishing the key, relative to its domain's zone."""
    return f"{key.selector}._domainkey TXT {txt(key.record_value)}"


def knot_dnsfunc(knot: KnotServer) -> Callable[..., bytes | None]:
    """TXT answers for dkimpy's verify, from the test server."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [knot.host], knot.port

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        try:
            answer = resolver.resolve(name.decode().rstrip("."), "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        return b"".join(b"".join(rdata.strings) for rdata in answer)

    return dnsfunc


@pytest.fixture
def draft_of_type(company) -> Callable[[str], EmailDraft]:
    """A draft of a template type (work_report, photo_documentation, offer, free), ready to send."""

    def make(code: str) -> EmailDraft:
        building = BuildingFactory(name="Les Érables")
        order = OrderFactory(client=building.client, buildings=[building])
        responsible = order.responsible
        responsible.first_name, responsible.last_name = "Marie", "Rochat"
        responsible.email = f"marie.rochat@{SENDING_DOMAIN}"
        responsible.save()
        if code == "work_report":
            WorkReportLineFactory(report__order=order, employee=responsible)
        elif code == "photo_documentation":
            for _ in range(2):
                PhotoFactory(order=order, width=1200, height=900)
        elif code == "offer":
            OfferLineFactory(offer__order=order)
        contact = ContactFactory(client=order.client, first_name="Anne", last_name="Favre", email="a.favre@gerance.ch")
        template = EmailTemplate.objects.get(type__code=code, language="fr", is_default=True)
        return email_draft_create(order=order, author=responsible, template=template, contact=contact)

    return make
