import mimetypes
from urllib.parse import urlencode

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render

from organisatrice.people.access import EmployeeRequest, employee_required

from . import naming, selectors
from .thumbnails import photo_thumbnail_get

ORDERS_PER_PAGE = 25


@employee_required
def order_list(request: EmployeeRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:200]
    mine = request.GET.get("mine") == "1"
    listing = selectors.order_list_page(
        employee=request.employee,
        search=search,
        page_number=request.GET.get("page"),
        per_page=ORDERS_PER_PAGE,
        mine=mine,
    )
    # The search and the filter, kept by the pagination links.
    kept = urlencode({key: value for key, value in (("q", search), ("mine", "1" if mine else "")) if value})
    context = {"page": listing.page, "orders": listing.orders, "search": search, "mine": mine, "kept_query": kept}
    return render(request, "orders/order_list.html", context)


@employee_required
def order_detail(request: EmployeeRequest, pk: int) -> HttpResponse:
    employee = request.employee
    order = selectors.order_get_for_user(employee=employee, pk=pk)
    context = {
        "order": order,
        "candidates": selectors.order_recipient_candidates(order=order),
        # Each document named by what tells it apart (number, employees, hours; time taken).
        "work_reports": (reports := naming.work_reports_named(order=order)),
        "reports_not_transmitted": [named for named in reports if not named.transmitted],
        "photos": naming.photos_named(order=order),
        "offers": [(named, selectors.offer_totals(offer=named.offer)) for named in naming.offers_named(order=order)],
    }
    return render(request, "orders/order_detail.html", context)


@employee_required
def photo_image(request: EmployeeRequest, pk: int, photo_id: int) -> FileResponse:
    order = selectors.order_get_for_user(employee=request.employee, pk=pk)
    photo = get_object_or_404(order.photos, pk=photo_id)
    content_type = mimetypes.guess_type(photo.image.name or "")[0] or "application/octet-stream"
    return FileResponse(photo.image.open("rb"), content_type=content_type)


@employee_required
def photo_thumbnail(request: EmployeeRequest, pk: int, photo_id: int) -> HttpResponse:
    order = selectors.order_get_for_user(employee=request.employee, pk=pk)
    photo = get_object_or_404(order.photos, pk=photo_id)
    response = HttpResponse(photo_thumbnail_get(photo=photo), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
