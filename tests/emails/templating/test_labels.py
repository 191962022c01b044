"""German and English users read the template menus, the client's language and the backoffice's
filters in their own language, not in French or as codes."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from organisatrice.emails.models import EmailTemplate, EmailTemplateType, OutgoingEmail
from organisatrice.emails.templating.selectors import email_template_label
from tests.emails.outgoing import outgoing_email_create
from tests.factories import ClientFactory, EmployeeFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _offer_template(language: str) -> EmailTemplate:
    return EmailTemplate.objects.get(type__code="offer", language=language, is_default=True)


@pytest.mark.parametrize(
    ("interface", "expected"),
    [
        ("fr", "Envoyer l'offre — Offerte (allemand)"),
        ("de", "Offerte senden — Offerte (Deutsch)"),
        ("en", "Send the quotation — Offerte (German)"),
    ],
)
def test_a_template_is_named_in_the_interface_language(interface, expected):
    with translation.override(interface):
        assert email_template_label(_offer_template("de")) == expected


def test_a_type_the_company_renamed_keeps_its_name():
    EmailTemplateType.objects.filter(code="offer").update(name="Devis")
    with translation.override("de"):
        assert email_template_label(_offer_template("fr")) == "Devis — Offre (Französisch)"


def test_the_new_email_menu_speaks_german_to_a_german_user(client):
    employee = EmployeeFactory(language="de")
    order = OrderFactory(responsible=employee)
    client.force_login(employee.user)

    page = client.get(reverse("emails:new", args=[order.pk])).content.decode()

    assert "Arbeitsrapport senden — Rapport de travail (Französisch)" in page
    assert "Envoyer le rapport de travail" not in page


@pytest.mark.parametrize(
    ("interface", "expected"), [("fr", "(entreprise, allemand)"), ("de", "(Firma, Französisch)"), ("en", "(company, ")]
)
def test_the_clients_language_is_named_in_the_interface_language(client, interface, expected):
    employee = EmployeeFactory(language=interface)
    order = OrderFactory(client=ClientFactory(language="fr" if interface == "de" else "de"))
    client.force_login(employee.user)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()

    assert expected in page


def test_the_archives_type_filter_shows_names_not_codes(client):
    admin = get_user_model().objects.create_superuser("admin", "admin@dupont-sa.ch", "secret")
    EmployeeFactory(user=admin, language="de")
    email = outgoing_email_create(enqueue=False)
    OutgoingEmail.objects.filter(pk=email.pk).update(template_type="work_report")
    client.force_login(admin)

    changelist = reverse("admin:emails_outgoingemail_changelist")
    page = client.get(changelist).content.decode()
    filtered = client.get(changelist, {"template_type": "offer"}).content.decode()

    assert "Arbeitsrapport senden" in page
    assert ">work_report<" not in page
    assert email.subject in page and email.subject not in filtered
    detail = client.get(reverse("admin:emails_outgoingemail_change", args=[email.pk])).content.decode()
    assert "Arbeitsrapport senden" in detail and ">work_report<" not in detail
