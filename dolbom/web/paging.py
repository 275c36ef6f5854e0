"""Long lists in pages of a fixed size, with the total: a city list has thousands of rows, and a list cut at
200 without saying so reads as if there were no more."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest


class _Counted(Paginator):
    """A paginator told its total instead of counting (the total came with the page's rows)."""

    def __init__(self, total: int, per_page: int) -> None:
        super().__init__([], per_page)
        self._total = total

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._total


def _number(page: Any) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def page_of(rows: QuerySet[Any] | list[Any], page: Any, per_page: int) -> Page:
    """One page of ``rows`` with the total of all of them; an out-of-range page gives the last one.

    For a queryset the total rides on the page's own query (``COUNT(*) OVER ()``), so a paged list runs
    as many queries as the unpaged one did (list pages assert their query count)."""
    if not isinstance(rows, QuerySet):
        return Paginator(rows, per_page).get_page(page)
    number = _number(page)
    counted = rows.annotate(_paging_total=Window(expression=Count("*")))
    items = list(counted[(number - 1) * per_page: number * per_page])
    if items:
        total = items[0]._paging_total
    else:
        total = rows.count()
        last = max(1, -(-total // per_page))
        if total and number > last:
            number = last
            items = list(rows[(number - 1) * per_page: number * per_page])
    return Page(items, number if total else 1, _Counted(total, per_page))


def paging_query(request: HttpRequest) -> str:
    """The list's filters as a query string without the page number, for the page links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
