"""The backoffice: DKIM keys created (the private key never shown), switched when published,
and the domain check page; nobody without the rights sees or changes any of it."""

from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from organisatrice.deliverability.models import DkimKey
from organisatrice.deliverability.selectors import dkim_private_key_pem
from organisatrice.deliverability.services import dkim_key_create
from tests.factories import UserFactory

from .conftest import SENDING_DOMAIN, dkim_record

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return unescape(response.content.decode())


ADD = reverse("admin:deliverability_dkimkey_add")
CHECK = reverse("admin:deliverability_domain_check")
CHANGELIST = reverse("admin:deliverability_dkimkey_changelist")


@pytest.fixture
def admin_client(client, company, settings):
    settings.EMAIL_HOST = "127.0.0.1"
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_key_created_in_the_backoffice_is_stored_encrypted_and_never_shown(admin_client):
    form = admin_client.get(ADD)
    assert form.status_code == 200 and f'value="{SENDING_DOMAIN}"' in page_text(form)

    response = admin_client.post(ADD, {"domain": "Dupont-SA.ch", "selector": "Org2026", "algorithm": "rsa-sha256"})

    assert response.status_code == 302
    key = DkimKey.objects.get()
    assert (key.domain, key.selector, key.status) == (SENDING_DOMAIN, "org2026", DkimKey.Status.PENDING)
    pem = dkim_private_key_pem(key)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----") and "PRIVATE KEY" not in key.private_key_encrypted
    page = page_text(admin_client.get(reverse("admin:deliverability_dkimkey_change", args=[key.pk])))
    assert key.record_value in page and f"org2026._domainkey.{SENDING_DOMAIN}" in page
    body = pem.splitlines()[1]
    assert body not in page and key.private_key_encrypted not in page and "PRIVATE KEY" not in page


def test_bad_input_is_refused_in_french_and_nothing_is_created(admin_client, tmp_path):
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("secret notes, not a key\n")
    cases = [
        ({"domain": "dupont sa", "selector": "org2026"}, "n'est pas un nom de domaine"),
        ({"domain": SENDING_DOMAIN, "selector": "org_2026!"}, "n'est pas un sélecteur DKIM"),
        ({"domain": SENDING_DOMAIN, "selector": "s1", "private_key_path": str(not_a_key)}, "pas une clé privée PEM"),
        ({"domain": SENDING_DOMAIN, "selector": "s1", "private_key_path": "relative.pem"}, "chemin complet"),
        ({"domain": SENDING_DOMAIN, "selector": "s1", "private_key_path": "/nonexistent/k.pem"}, "ne peut pas être lu"),
    ]
    for data, message in cases:
        response = admin_client.post(ADD, {"algorithm": "rsa-sha256", **data})
        content = page_text(response)
        assert response.status_code == 200 and message in content, data
        assert "secret notes" not in content
    dkim_key_create(domain=SENDING_DOMAIN, selector="taken")
    response = admin_client.post(ADD, {"domain": SENDING_DOMAIN, "selector": "taken", "algorithm": "rsa-sha256"})
    assert response.status_code == 200 and DkimKey.objects.count() == 1


def test_rotation_a_new_selector_beside_the_old_switched_once_published(admin_client, dns_zone):
    old = dkim_key_create(domain=SENDING_DOMAIN, selector="org2025", signing=True)
    new = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026")
    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(old)])

    # Not published yet: the switch is refused, with the reason.
    refused = admin_client.post(CHANGELIST, {"action": "activate", "_selected_action": [new.pk]}, follow=True)
    assert "n'est pas activée" in page_text(refused)
    new.refresh_from_db()
    assert new.status == DkimKey.Status.PENDING

    dns_zone.set_records(SENDING_DOMAIN, [dkim_record(old), dkim_record(new)])
    page = page_text(admin_client.get(CHECK))
    activate = reverse("admin:deliverability_dkimkey_activate", args=[new.pk])
    assert f'action="{activate}"' in page

    done = admin_client.post(activate, follow=True)

    assert "signe désormais" in page_text(done)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (DkimKey.Status.RETIRED, DkimKey.Status.SIGNING)


def test_the_check_page_shows_each_verdict_and_the_record_to_publish(admin_client, dns_zone):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026", signing=True)
    dns_zone.set_records(SENDING_DOMAIN, ['@ TXT "v=spf1 ip4:127.0.0.1 -all"'])

    response = admin_client.get(CHECK)

    page = page_text(response)
    assert response.status_code == 200
    for kind, status in (("spf", "ok"), ("dkim", "missing"), ("dmarc", "missing"), ("mx", "missing")):
        assert f'data-kind="{kind}" data-status="{status}"' in page
    assert key.record_value in page and "_dmarc.dupont-sa.ch" in page
    assert CHECK in page_text(admin_client.get(CHANGELIST))


def test_the_pages_need_the_rights(client, dns_zone, company):
    key = dkim_key_create(domain=SENDING_DOMAIN, selector="org2026")
    activate = reverse("admin:deliverability_dkimkey_activate", args=[key.pk])
    assert client.get(CHECK).status_code == 302  # to the login
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)
    assert client.get(CHECK).status_code == 403
    assert client.post(activate).status_code == 403
    assert client.get(ADD).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_dkimkey"))
    assert client.get(CHECK).status_code == 200
    assert client.post(activate).status_code == 403
    key.refresh_from_db()
    assert key.status == DkimKey.Status.PENDING
