"""The archive's policy on the paths beside the pages: the order timeline and the backoffice."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from organisatrice.emails.models import OutgoingEmail
from organisatrice.orders.services import work_reports_mark_reported
from tests.api.conftest import api_for
from tests.emails.outgoing import outgoing_email_create
from tests.factories import WorkReportFactory
from tests.policy_matrix import MATRIX, MATRIX_ARGUMENTS, may_read_archive, may_send, policy_case

pytestmark = pytest.mark.django_db

SUBJECT = "Rapport de travail – fuite au 3e étage"


@pytest.mark.parametrize(MATRIX_ARGUMENTS, MATRIX)
def test_the_timeline_shows_an_email_only_to_those_who_may_read_the_archive(
    client, company_on, employee_on, mail_permission, relation
):
    employee, order = policy_case(company_on, employee_on, mail_permission, relation)
    report = WorkReportFactory(order=order)
    email = outgoing_email_create(order=order, subject=SUBJECT)
    work_reports_mark_reported(report_ids=[report.pk], email_id=email.pk, sent_at=timezone.now())
    client.force_login(employee.user)

    response = client.get(reverse("orders:detail", args=[order.pk]))

    if response.status_code == 404:  # an order the employee may not see at all
        return
    page = response.content.decode()
    allowed = may_read_archive(mail_permission, relation)
    assert (SUBJECT in page) is allowed
    assert (reverse("emails:detail", args=[email.pk]) in page) is allowed
    # That the report was transmitted is the order's business, shown to all who see the order.
    assert "rapport de travail transmis au client" in page


@pytest.mark.parametrize("mail_permission", [True, False])
def test_the_backoffice_shows_sent_emails_only_with_the_mail_permission(client, mail_permission):
    employee, order = policy_case(True, True, mail_permission, "dispatcher")
    employee.user.is_staff = True
    employee.user.save()
    employee.user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_outgoingemail", "view_failedemail"])
    )
    email = outgoing_email_create(order=order, subject=SUBJECT, bcc=[{"name": "", "email": "cachee@dupont-sa.ch"}])
    client.force_login(employee.user)

    pages = [
        client.get(reverse("admin:emails_outgoingemail_changelist")),
        client.get(reverse("admin:emails_outgoingemail_change", args=[email.pk])),
        client.get(reverse("admin:emails_failedemail_changelist")),
    ]

    assert [page.status_code for page in pages] == [200 if mail_permission else 403] * 3
    assert (SUBJECT in pages[0].content.decode()) is mail_permission
    assert ("cachee@dupont-sa.ch" in pages[1].content.decode()) is mail_permission
    index = client.get(reverse("admin:index")).content.decode()
    assert (reverse("admin:emails_outgoingemail_changelist") in index) is mail_permission


def test_a_superuser_reads_the_sent_emails_in_the_backoffice(admin_client):
    email = outgoing_email_create(subject=SUBJECT, enqueue=False)
    assert SUBJECT in admin_client.get(reverse("admin:emails_outgoingemail_change", args=[email.pk])).content.decode()


@pytest.mark.parametrize(MATRIX_ARGUMENTS, MATRIX)
def test_cancelling_a_waiting_email_needs_the_right_to_send(client, company_on, employee_on, mail_permission, relation):
    employee, order = policy_case(company_on, employee_on, mail_permission, relation)
    page_email, api_email = (outgoing_email_create(order=order, subject=SUBJECT) for _ in range(2))
    allowed = may_send(company_on, employee_on, mail_permission, relation)
    client.force_login(employee.user)

    detail = client.get(reverse("emails:detail", args=[page_email.pk]))
    client.post(reverse("emails:cancel", args=[page_email.pk]))
    answer = api_for(employee).post(f"/emails/{api_email.pk}/cancel")

    if detail.status_code == 200:
        assert (reverse("emails:cancel", args=[page_email.pk]) in detail.content.decode()) is allowed
    assert answer.status_code in ((200,) if allowed else (403, 404))
    statuses = set(OutgoingEmail.objects.filter(order=order).values_list("status", flat=True))
    assert statuses == {OutgoingEmail.Status.CANCELLED if allowed else OutgoingEmail.Status.QUEUED}
