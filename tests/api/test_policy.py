"""The permission matrix through the API: the same policy as the pages, 403 with the reason, nothing changed."""

import pytest

from organisatrice.emails import policy
from organisatrice.emails.models import EmailDraft, EmailNote, OutgoingEmail
from tests.api.conftest import api_for
from tests.emails.outgoing import Attachment, outgoing_email_create
from tests.policy_matrix import MATRIX, MATRIX_ARGUMENTS, may_read_archive, may_send, policy_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(MATRIX_ARGUMENTS, MATRIX)
def test_the_api_follows_the_matrix(company_on, employee_on, mail_permission, relation):
    employee, order = policy_case(company_on, employee_on, mail_permission, relation)
    sends = may_send(company_on, employee_on, mail_permission, relation)
    may_read = may_read_archive(mail_permission, relation)
    send_reason = policy.send_refusal(employee=employee, order=order)
    read_reason = policy.archive_refusal(employee=employee, order=order)
    assert (send_reason is None) is sends and (read_reason is None) is may_read
    api = api_for(employee)
    # A draft the employee wrote while they still could, and an email sent from the order.
    draft = EmailDraft.objects.create(
        order=order, author=employee, subject="Rapport", to=[{"name": "", "email": "favre@gerance.ch"}]
    )
    sent = outgoing_email_create(order=order, attachments=[Attachment("rapport.pdf", b"%PDF-1.4")])

    # The order itself is visible to every employee; the answer says whether they may email.
    detail = api.get(f"/orders/{order.pk}")
    assert detail.status_code == 200
    assert detail.json()["can_send_email"] is sends
    assert detail.json()["send_refusal"] == send_reason

    sending = [
        api.post(f"/orders/{order.pk}/email-drafts", {"type": "free"}),
        api.get(f"/email-drafts/{draft.pk}"),
        api.patch(f"/email-drafts/{draft.pk}", {"subject": "Changé"}),
        api.get(f"/email-drafts/{draft.pk}/preview"),
    ]
    for response in sending:
        if sends:
            assert response.status_code in (200, 201)
        else:
            assert response.status_code == 403
            assert response.json() == {"detail": send_reason}

    reading = [
        api.get(f"/orders/{order.pk}/emails"),
        api.get(f"/emails/{sent.pk}"),
        api.get(f"/emails/{sent.pk}/raw"),
        api.get(f"/emails/{sent.pk}/attachments/0"),
        api.post(f"/emails/{sent.pk}/notes", {"text": "Vu"}),
    ]
    for response in reading:
        if may_read:
            assert response.status_code in (200, 201)
        else:
            assert response.status_code == 403
            assert response.json() == {"detail": read_reason}

    # A retry sends again: it needs what a send needs (the email is queued, so the allowed
    # answer is the outbox's refusal of that move).
    retry = api.post(f"/emails/{sent.pk}/retry")
    if sends:
        assert retry.status_code == 409
    else:
        assert retry.status_code == 403
        assert retry.json()["detail"] in {send_reason, read_reason}

    sending_then = api.post(f"/email-drafts/{draft.pk}/send")
    assert sending_then.status_code == (202 if sends else 403)

    # Cancelling changes what the client receives: it needs the right to send, like a retry.
    cancel = api.post(f"/emails/{sent.pk}/cancel")
    assert cancel.status_code == (200 if sends else 403)

    # Refused requests changed nothing.
    draft.refresh_from_db()
    assert draft.subject == ("Changé" if sends else "Rapport")
    assert EmailDraft.objects.filter(order=order).count() == (2 if sends else 1)
    assert EmailNote.objects.filter(email=sent).exists() is may_read
    assert OutgoingEmail.objects.filter(order=order).count() == (2 if sends else 1)
    sent.refresh_from_db()
    assert sent.status == ("cancelled" if sends else "queued")
