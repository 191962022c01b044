"""The composer's attachment pages: each page of a PDF (or the image) at a size to read.

One click on an attachment's thumbnail opens them in a dialog (htmx loads the fragment);
without scripts the same address is a page of its own.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisatrice.people.access import EmployeeRequest, employee_required

from . import selectors
from .previews import PAGES_SHOWN, attachment_page_count, attachment_page_png


@require_GET
@never_cache
@employee_required
def draft_attachment_pages(request: EmployeeRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.draft_attachment_get_for_user(employee=request.employee, pk=pk, attachment_id=attachment_id)
    count = attachment_page_count(attachment=attachment)
    context = {
        "draft": attachment.draft,
        "order": attachment.draft.order,
        "attachment": attachment,
        "pages": range(1, count + 1),
        "cut": count == PAGES_SHOWN,
    }
    template = "emails/_attachment_pages.html" if request.htmx else "emails/attachment_pages.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_GET
@never_cache
@employee_required
def draft_attachment_page(request: EmployeeRequest, pk: int, attachment_id: int, page: int) -> HttpResponse:
    attachment = selectors.draft_attachment_get_for_user(employee=request.employee, pk=pk, attachment_id=attachment_id)
    png = attachment_page_png(attachment=attachment, page=page)
    if png is None:
        raise Http404(_("Cette page n'existe pas."))
    return HttpResponse(png, content_type="image/png")
