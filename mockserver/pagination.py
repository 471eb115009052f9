"""DRF page-number pagination with absolute `next`/`previous` URLs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from mockserver.errors import not_found
from mockserver.http import MockRequest

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "paginate"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
T = TypeVar("T")


def _page_size(request: MockRequest) -> int:
    raw = request.query_get("page_size")
    try:
        size = int(raw) if raw is not None else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
    if size < 1:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


def _page_number(request: MockRequest) -> int:
    raw = request.query_get("page")
    if raw is None:
        return 1
    try:
        page = int(raw)
    except ValueError:
        raise not_found("Invalid page.") from None
    if page < 1:
        raise not_found("Invalid page.")
    return page


def _link(request: MockRequest, page: int | None) -> str:
    items = [(k, v) for k, v in request.query_items if k != "page"]
    if page is not None:
        items.append(("page", str(page)))
    query = urlencode(items)
    url = f"{request.scheme}://{request.host}{request.path}"
    return f"{url}?{query}" if query else url


def paginate(
    request: MockRequest, items: Sequence[T], render: Callable[[T], Any]
) -> dict[str, Any]:
    """One page of ``items``; a page past the last one is 404 ``Invalid page.``."""
    size = _page_size(request)
    page = _page_number(request)
    pages = max(1, -(-len(items) // size))
    if page > pages:
        raise not_found("Invalid page.")
    chunk = items[(page - 1) * size : page * size]
    return {
        "count": len(items),
        "next": _link(request, page + 1) if page < pages else None,
        "previous": None if page == 1 else _link(request, None if page == 2 else page - 1),
        "results": [render(item) for item in chunk],
    }
