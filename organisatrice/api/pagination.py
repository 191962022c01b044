from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 25
T = TypeVar("T")


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.build_absolute_uri(request.path)}?{query.urlencode()}"


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[T], *, page: int) -> tuple[list, dict[str, Any]]:
    """The page's items, and {count, next, previous} with the URLs of the pages around it."""
    paginator = Paginator(items, PAGE_SIZE)
    if page > paginator.num_pages:
        raise Http404(_("Cette page n'existe pas."))
    current = paginator.page(page)
    return list(current.object_list), {
        "count": paginator.count,
        "next": _page_url(request, current.next_page_number()) if current.has_next() else None,
        "previous": _page_url(request, current.previous_page_number()) if current.has_previous() else None,
    }
