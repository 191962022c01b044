"""Names entered in the backoffice end up in email headers: one line, no control characters."""

import pytest
from django.urls import reverse

from organisatrice.clients.models import Contact
from tests.factories import BuildingFactory, ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db

# In the middle: a form strips the ends, and refuses a NUL with Django's own message.
BAD = ["Favre\r\nBcc: x@evil.example", "Fav\nre", "Fa\x1bvre", "Fa\u2028vre", "Fa\x85vre", "Fa\tvre"]


def contact_form(contact: Contact, **changes: str) -> dict[str, str]:
    data = {
        "client": str(contact.client_id),
        "building": "",
        "salutation": contact.salutation,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "function": contact.function,
        "email": contact.email,
        "phone": contact.phone,
        "language": contact.language,
    }
    return {**data, **changes}


@pytest.mark.parametrize("value", BAD)
def test_the_backoffice_refuses_a_line_break_or_control_character_in_a_contacts_name(admin_client, value):
    contact = ContactFactory(last_name="Favre")
    url = reverse("admin:clients_contact_change", args=[contact.pk])
    for field in ("first_name", "last_name", "function"):
        response = admin_client.post(url, contact_form(contact, **{field: value}))
        assert response.status_code == 200, field  # the form again, with the error
        assert "caractère non autorisé" in response.content.decode(), field
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.function) == ("Anne", "Favre", "Gérante")


def test_clients_and_buildings_names_are_checked_too():
    for instance in (
        ClientFactory.build(name="Gérance\r\nSA"),
        BuildingFactory.build(name="Les\x00Érables"),
        ContactFactory.build(last_name="Fa\x00vre"),
    ):
        with pytest.raises(Exception, match="caractère non autorisé"):
            instance.full_clean(exclude=["client"])


def test_ordinary_names_are_accepted(admin_client):
    contact = ContactFactory(last_name="Favre")
    url = reverse("admin:clients_contact_change", args=[contact.pk])
    response = admin_client.post(url, contact_form(contact, first_name="Zoé-Anne", last_name="D'Arcy Müller"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "D'Arcy Müller"
