"""A page of a long list at a time, with links that keep the other query parameters.

Pages that list every school of a municipality grow with it (issue 32: the round detail and
the needs picture cost 2.5-3.5x as much for 175 schools as for one). They show a page of rows
at a time, with their totals computed over all rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Paginator


class Counted(Sequence):
    """A queryset whose length is already known (from the page's totals), so that paging it
    costs one query for the rows of the page and none to count them; `wrap` turns each row
    into what the template shows."""

    def __init__(self, rows, count: int, wrap: Callable[[Any], Any] = lambda row: row):
        self.rows, self._count, self.wrap = rows, count, wrap

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.wrap(row) for row in self.rows[index]]
        return self.wrap(self.rows[index])


def pager(request, items, *, param: str, per_page: int, anchor: str, query=None) -> dict:
    """The page of `items` that query parameter `param` asks for (the first when it is not a
    page number), with links to its neighbours that keep the other parameters (those of
    `query`, a QueryDict, when given instead of the request's)."""
    query_ = request.GET if query is None else query
    page = Paginator(items, per_page).get_page(query_.get(param))

    def link(number: int) -> str:
        query = query_.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return {
        "page": page,
        "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page.next_page_number()) if page.has_next() else "",
    }
