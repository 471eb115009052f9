"""``CursorPage``: one page of a v2 list (items plus the opaque cursors around them)."""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

__all__ = ["CursorPage"]

T = TypeVar("T")


@attrs.frozen
class CursorPage(Generic[T]):
    """One page of a v2 list: its ``items`` and the envelope's ``meta``.

    The cursors are opaque tokens: the next page is the same request with
    ``cursor=next_cursor`` (never a URL to follow). v2 lists have no total count.
    """

    items: list[T]
    """The page's rows, in the server's order (ascending id)."""
    next_cursor: str | None
    """Token of the next page; ``None`` on the last page."""
    previous_cursor: str | None
    """Token of the previous page; ``None`` on the first page."""
    per_page: int
    """The page size the server applied."""
    request_id: str
    """The server's ``meta.request_id`` (quote it when reporting a problem)."""
