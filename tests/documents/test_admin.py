import pytest
from django.urls import reverse

from organisatrice.documents.kinds import DocumentKind
from organisatrice.documents.models import FilenamePattern
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_every_kind_has_a_pattern_after_install():
    assert set(FilenamePattern.objects.values_list("kind", flat=True)) == set(DocumentKind.values)


def test_the_backoffice_lists_patterns_with_an_example(admin_client):
    response = admin_client.get(reverse("admin:documents_filenamepattern_changelist"))
    assert response.status_code == 200
    assert "2026-00042_Rapport-de-travail_Les-Érables_2026-11-28.pdf" in response.content.decode()


def test_a_pattern_is_edited_in_the_backoffice(admin_client):
    pattern = FilenamePattern.objects.get(kind=DocumentKind.OFFER)
    url = reverse("admin:documents_filenamepattern_change", args=[pattern.pk])
    page = admin_client.get(url).content.decode()
    assert "{order_number}" in page and "{document_type}" in page

    response = admin_client.post(url, {"pattern": "Offre_{offer_number}_{client}"})

    assert response.status_code == 302
    pattern.refresh_from_db()
    assert pattern.pattern == "Offre_{offer_number}_{client}"


def test_an_unknown_placeholder_is_refused_with_a_clear_message(admin_client):
    pattern = FilenamePattern.objects.get(kind=DocumentKind.OFFER)
    url = reverse("admin:documents_filenamepattern_change", args=[pattern.pk])

    response = admin_client.post(url, {"pattern": "{numero}_{client}"})

    assert response.status_code == 200
    assert "{numero}" in response.content.decode()
    pattern.refresh_from_db()
    assert pattern.pattern != "{numero}_{client}"


def test_patterns_are_neither_added_nor_deleted(admin_client):
    pattern = FilenamePattern.objects.get(kind=DocumentKind.OFFER)
    assert admin_client.get(reverse("admin:documents_filenamepattern_add")).status_code == 403
    assert admin_client.get(reverse("admin:documents_filenamepattern_delete", args=[pattern.pk])).status_code == 403


def test_employees_without_staff_access_cannot_reach_the_patterns(client):
    employee = EmployeeFactory()
    client.force_login(employee.user)
    response = client.get(reverse("admin:documents_filenamepattern_changelist"))
    assert response.status_code == 302
    assert "login" in response.url
