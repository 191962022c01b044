"""The company's settings are one page in the backoffice, the attachment limit typed in megabytes."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from organisatrice.people.models import CompanySettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def backoffice(client):
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@dupont-sa.ch", "secret"))
    return client


def _form_data(company: CompanySettings, **changes: str) -> dict[str, str]:
    data = {
        "name": company.name,
        "street": company.street,
        "postal_code": company.postal_code,
        "city": company.city,
        "phone": company.phone,
        "website": company.website,
        "vat_number": company.vat_number,
        "email_enabled": "on",
        "sending_address": company.sending_address,
        "sending_domain": company.sending_domain,
        "sender_name_format": company.sender_name_format,
        "max_attachments_size_mb": "10",
        "bcc_me_default": "on",
    }
    return {**data, **changes}


def test_the_list_of_one_row_opens_that_rows_page(backoffice, company):
    response = backoffice.get(reverse("admin:people_companysettings_changelist"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:people_companysettings_change", args=[company.pk])


def test_the_page_exists_before_anyone_saved_settings(backoffice):
    assert not CompanySettings.objects.exists()
    response = backoffice.get(reverse("admin:people_companysettings_changelist"), follow=True)
    assert response.status_code == 200
    assert CompanySettings.objects.count() == 1
    assert reverse("admin:people_companysettings_add") not in response.content.decode()


def test_the_attachment_limit_is_shown_and_typed_in_megabytes(backoffice, company):
    url = reverse("admin:people_companysettings_change", args=[company.pk])
    page = backoffice.get(url).content.decode()
    assert 'name="max_attachments_size_mb" value="10.0"' in page
    assert 'name="max_attachments_size"' not in page
    assert "(Mo)" in page

    response = backoffice.post(url, _form_data(company, max_attachments_size_mb="7.5"))

    assert response.status_code == 302 and response["Location"] == url
    company.refresh_from_db()
    assert company.max_attachments_size == int(7.5 * 1024 * 1024)


@pytest.mark.parametrize("typed", ["0", "-1", "abc", "5000", "10485760"])
def test_an_impossible_limit_is_refused_and_nothing_changes(backoffice, company, typed):
    url = reverse("admin:people_companysettings_change", args=[company.pk])

    response = backoffice.post(url, _form_data(company, max_attachments_size_mb=typed, name="Autre SA"))

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    company.refresh_from_db()
    assert (company.name, company.max_attachments_size) == ("Dupont Technique SA", 10 * 1024 * 1024)


def test_the_settings_cannot_be_added_twice_or_deleted(backoffice, company):
    assert backoffice.get(reverse("admin:people_companysettings_add")).status_code == 403
    assert backoffice.get(reverse("admin:people_companysettings_delete", args=[company.pk])).status_code == 403


def test_staff_without_the_right_get_nothing(client, company):
    user = get_user_model().objects.create_user("staff", "staff@dupont-sa.ch", "secret", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:people_companysettings_changelist")).status_code == 403


def test_the_logo_in_the_signature_is_off_until_turned_on_here(backoffice, company):
    url = reverse("admin:people_companysettings_change", args=[company.pk])
    page = backoffice.get(url).content.decode()
    assert '<input type="checkbox" name="logo_in_emails"' in page and "filtres anti-spam" in page
    assert not company.logo_in_emails

    assert backoffice.post(url, _form_data(company, logo_in_emails="on")).status_code == 302
    company.refresh_from_db()
    assert company.logo_in_emails

    backoffice.post(url, _form_data(company))  # an unticked box is not sent
    company.refresh_from_db()
    assert not company.logo_in_emails
