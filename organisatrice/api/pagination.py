from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 25
# Far beyond any real list, and low enough that no OFFSET computed from it overflows.
PAGE_MAX = 10**9


def page_url(request: HttpRequest, number: int) -> str:
    """The URL of the same list at another page."""
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.build_absolute_uri(request.path)}?{query.urlencode()}"


def page_requested(page: Page, *, requested: int) -> Page:
    """The page, if it is the one requested; PageOut answers it as {count, next, previous, results}.

    A page past the end is not found: Django's paginators would quietly give the last one.
    """
    if page.number != requested:
        raise Http404(_("Cette page n'existe pas."))
    return page


def paginate(items: QuerySet[Any] | Sequence[Any], *, page: int) -> Page:
    """One page of the items, PAGE_SIZE a page."""
    return page_requested(Paginator(items, PAGE_SIZE).get_page(page), requested=page)
