"""v2 cursor pagination: opaque tokens, pages by ascending id, stable under inserts.

A token encodes a position (``p=<id>``, ``r=1`` for a backwards page) in URL-safe base64, as
DRF's CursorPagination does; clients re-issue the same request with ``cursor=<token>``.
Because a page starts after an id, rows inserted while a client pages never shift a page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

from mockserver.errors import not_found
from mockserver.http import MockRequest

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "cursor_page"]

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
T = TypeVar("T")


def _encode(position: int, reverse: bool) -> str:
    fields = {"r": "1", "p": str(position)} if reverse else {"p": str(position)}
    return base64.urlsafe_b64encode(urlencode(fields).encode("ascii")).decode("ascii").rstrip("=")


def _decode(token: str) -> tuple[int, bool]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        fields = parse_qs(raw, keep_blank_values=True, strict_parsing=True)
        position = int(fields["p"][0])
        reverse = fields.get("r", ["0"])[0] == "1"
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, IndexError):
        raise not_found("Invalid cursor") from None
    return position, reverse


def _per_page(request: MockRequest) -> int:
    raw = request.query_get("per_page")
    try:
        size = int(raw) if raw is not None else DEFAULT_PER_PAGE
    except ValueError:
        return DEFAULT_PER_PAGE
    return DEFAULT_PER_PAGE if size < 1 else min(size, MAX_PER_PAGE)


def cursor_page(
    request: MockRequest,
    items: Sequence[T],
    render: Callable[[T], Any],
    key: Callable[[T], int],
) -> tuple[list[Any], dict[str, Any]]:
    """(rendered page, ``meta.pagination``) of ``items`` sorted by ascending ``key``."""
    per_page = _per_page(request)
    token = request.query_get("cursor")
    if token:
        position, reverse = _decode(token)
    else:
        position, reverse = 0, False
    if reverse:
        before = [item for item in items if key(item) < position]
        page = before[-per_page:]
    else:
        page = [item for item in items if key(item) > position][:per_page]
    has_next = bool(page) and any(key(item) > key(page[-1]) for item in items)
    has_previous = bool(page) and any(key(item) < key(page[0]) for item in items)
    pagination = {
        "next_cursor": _encode(key(page[-1]), False) if has_next else None,
        "previous_cursor": _encode(key(page[0]), True) if has_previous else None,
        "per_page": per_page,
    }
    return [render(item) for item in page], pagination
