"""The whole permission matrix, through the service, the pages and the form posts."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from organisatrice.emails import policy
from organisatrice.emails.models import EmailDraft, EmailTemplate
from tests.policy_matrix import MATRIX, MATRIX_ARGUMENTS, may_read_archive, may_send, policy_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(MATRIX_ARGUMENTS, MATRIX)
def test_service_answers_the_matrix(company_on, employee_on, mail_permission, relation):
    employee, order = policy_case(company_on, employee_on, mail_permission, relation)
    allowed = may_send(company_on, employee_on, mail_permission, relation)

    assert policy.can_send(employee=employee, order=order) is allowed
    # Reading the archive ignores the on/off switches.
    assert policy.can_read_archive(employee=employee, order=order) is may_read_archive(mail_permission, relation)
    reason = policy.send_refusal(employee=employee, order=order)
    if allowed:
        assert reason is None
        return
    assert reason is not None
    if not company_on:
        assert "entreprise" in reason
    elif not employee_on:
        assert "votre compte" in reason
    elif not mail_permission:
        assert "autorisation Mail" in reason
    else:
        assert "responsable" in reason and order.number in reason


@pytest.mark.parametrize(MATRIX_ARGUMENTS, MATRIX)
def test_pages_and_posts_follow_the_matrix(client, company_on, employee_on, mail_permission, relation):
    employee, order = policy_case(company_on, employee_on, mail_permission, relation)
    allowed = may_send(company_on, employee_on, mail_permission, relation)
    client.force_login(employee.user)

    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert ('id="mail-action"' in detail) is allowed

    composer = client.get(reverse("emails:new", args=[order.pk]))
    assert composer.status_code == (200 if allowed else 403)
    if not allowed:
        assert escape(policy.send_refusal(employee=employee, order=order)) in composer.content.decode()

    template = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    posted = client.post(reverse("emails:new", args=[order.pk]), {"template": template.pk})
    assert posted.status_code == (302 if allowed else 403)
    assert EmailDraft.objects.filter(order=order).exists() is allowed


def test_a_refused_send_of_an_existing_draft_changes_nothing(client):
    employee, order = policy_case(True, True, True, "responsible")
    client.force_login(employee.user)
    template = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    client.post(reverse("emails:new", args=[order.pk]), {"template": template.pk})
    draft = EmailDraft.objects.get(order=order)
    employee.mail_permission = False
    employee.save()

    response = client.post(reverse("emails:draft_send", args=[draft.pk]), {"subject": "Changé"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == EmailDraft.Status.EDITING
    assert draft.subject != "Changé"
    assert not order.emails.exists()
