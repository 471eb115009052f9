"""Flows every other flow is built from: blocking work, pages, batches (retries: ``retry``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Generic, TypeVar

from ..errors import ProtocolError
from .intents import Blocking, Emit, Flow, Pages

__all__ = ["PageCursor", "PageTokens", "batched", "blocking", "drain", "watching"]

T = TypeVar("T")


def watching(flow: Flow[T], on_answer: Callable[[object], None]) -> Flow[T]:
    """``flow`` unchanged, with every answer it receives shown to ``on_answer`` first (for a
    caller that must know what happened on the way, e.g. an answer lost before a resend)."""
    answer: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(answer)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        answer, error = None, None
        try:
            answer = yield step
            on_answer(answer)
        except Exception as exc:  # forwarded to the flow, as ``yield from`` does
            error = exc


def blocking(fn: Callable[..., T], *args: Any) -> Flow[T]:
    """A flow of one piece of local blocking work."""
    return (yield Blocking(fn, args))  # type: ignore[no-any-return]


class PageCursor(Generic[T]):
    """Steps a paging flow one page at a time: :meth:`next_page` is a flow of the next items."""

    def __init__(self, pages: Pages[T]) -> None:
        self._pages = pages

    def next_page(self) -> Flow[Sequence[T] | None]:
        """Perform the paging flow's intents up to its next ``Emit``; None when it is done."""
        answer: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = self._pages.throw(error) if error is not None else self._pages.send(answer)
            except StopIteration:
                return None
            if isinstance(step, Emit):
                return step.items
            answer, error = None, None
            try:
                answer = yield step
            except Exception as exc:  # forwarded to the paging flow, as ``yield from`` does
                error = exc


class PageTokens:
    """The tokens a listing followed (v2 ``next_cursor``s, v1 ``next`` URLs): one that comes
    back ends the listing with a :class:`ProtocolError`, since a server that loops would
    never end the iteration."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._seen: set[str] = set()

    def follow(self, token: str) -> str:
        """``token``, the first time it is seen; ProtocolError when it came back."""
        if token in self._seen:
            raise ProtocolError(None, f"{self._kind} {token!r} came back twice")
        self._seen.add(token)
        return token


def drain(pages: Pages[T], sink: Callable[[Sequence[T]], object]) -> Flow[None]:
    """Run a paging flow inside another flow, handing each page's items to ``sink``."""
    cursor = PageCursor(pages)
    while (items := (yield from cursor.next_page())) is not None:
        sink(items)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (streams ``items``)."""
    if size < 1:
        raise ValueError("batch size must be >= 1")
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
