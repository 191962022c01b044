"""The reports that came back for an email (bounces, DSNs, auto-replies): read on a page, or downloaded.

A report is somebody else's message: it is shown as text only (its HTML is never rendered)
and downloaded as message/rfc822, never inline.
"""

import email as email_package
import email.policy

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisatrice.content_store import blob_read
from organisatrice.people.access import EmployeeRequest, employee_required

from ..delivery.dsn import delivery_status_text
from ..delivery.text import message_text
from ..downloads import download_response
from ..models import DeliveryReport
from .selectors import outgoing_email_get_for_user

_SHOWN_HEADERS = ("From", "To", "Date", "Subject", "Message-ID", "Auto-Submitted")


def _report_for_user(request: EmployeeRequest, pk: int, report_id: int) -> DeliveryReport:
    sent = outgoing_email_get_for_user(employee=request.employee, pk=pk)
    return get_object_or_404(DeliveryReport.objects.select_related("email__order"), pk=report_id, email=sent)


@require_GET
@never_cache
@employee_required
def delivery_report(request: EmployeeRequest, pk: int, report_id: int) -> HttpResponse:
    report = _report_for_user(request, pk, report_id)
    parsed = email_package.message_from_bytes(blob_read(report.raw_sha256), policy=email.policy.compat32)
    headers = [(name, str(parsed.get(name, ""))) for name in _SHOWN_HEADERS if parsed.get(name)]
    # The report's words, then its machine-readable part (every recipient's fields).
    fields = [delivery_status_text(p) for p in parsed.walk() if p.get_content_type() == "message/delivery-status"]
    text = "\n\n".join([message_text(parsed), *fields])
    context = {"report": report, "email": report.email, "headers": headers, "text": text}
    return render(request, "emails/delivery_report.html", context)


@require_GET
@never_cache
@employee_required
def delivery_report_raw(request: EmployeeRequest, pk: int, report_id: int) -> HttpResponse:
    report = _report_for_user(request, pk, report_id)
    return download_response(blob_read(report.raw_sha256), "message/rfc822", report.filename)
