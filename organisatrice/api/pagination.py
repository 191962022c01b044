from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 25
# Far beyond any real list, and low enough that no OFFSET computed from it overflows.
PAGE_MAX = 10**9


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.build_absolute_uri(request.path)}?{query.urlencode()}"


def page_links(request: HttpRequest, page: Page, *, requested: int) -> dict[str, Any]:
    """{count, next, previous} for a page, with the URLs of the pages around it.

    A page past the end is not found: Django's paginators would quietly give the last one.
    """
    if page.number != requested:
        raise Http404(_("Cette page n'existe pas."))
    return {
        "count": page.paginator.count,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": _page_url(request, page.previous_page_number()) if page.has_previous() else None,
    }


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[Any], *, page: int) -> tuple[list, dict[str, Any]]:
    """The items of one page, and its {count, next, previous}."""
    current = Paginator(items, PAGE_SIZE).get_page(page)
    return list(current.object_list), page_links(request, current, requested=page)
