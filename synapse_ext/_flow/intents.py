"""The intent vocabulary shared by every flow and both drivers."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import attrs

if TYPE_CHECKING:
    from .._wire.call import Op
    from .concurrency import AdaptiveLimit

__all__ = ["Blocking", "Call", "Emit", "Flow", "Intent", "Pages", "Parallel", "Sleep"]

T = TypeVar("T")


@attrs.frozen
class Call(Generic[T]):
    """Send ``op`` once (never retried by the driver); answer: its value or the ``ClientError``.

    ``alongside`` is local work the driver runs concurrently with the request (the MD5 of
    the chunk being sent); the answer comes once both are done.
    """

    op: Op[T]
    alongside: Callable[[], object] | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Sleep:
    """Wait ``seconds``; answer: None."""

    seconds: float


@attrs.frozen
class Blocking(Generic[T]):
    """Run local blocking work (disk reads, hashing, journal hooks); answer: its return value.

    The async driver runs it in a worker thread. An exception it raises is thrown into the
    flow at the ``yield``.
    """

    fn: Callable[..., T]
    args: tuple[Any, ...] = ()


@attrs.frozen
class Parallel(Generic[T]):
    """Run sub-flows concurrently, at most ``limit`` at a time; answer: their results in order.

    Threads (sync) or a task group (async), with one semantics: on the first failure of a
    sub-flow no other starts, the running ones are cancelled (closed at their ``yield``: the
    intent each is in is its last; a blocking request in the sync world ends first), and that
    failure, the first by time, is thrown into the flow. A sub-flow whose own failures are
    outcomes (one file of many) catches them and returns them. ``limit`` is a number,
    or an :class:`~synapse_ext._flow.concurrency.AdaptiveLimit`: a sub-flow then starts only
    while fewer than its ``current`` run, and every request the sub-flows send reports to it.
    """

    flows: Sequence[Flow[T]]
    limit: int | AdaptiveLimit


@attrs.frozen
class Emit(Generic[T]):
    """Hand ``items`` to the consumer of a paging flow; answer: None."""

    items: Sequence[T]


Intent: TypeAlias = Call[Any] | Sleep | Blocking[Any] | Parallel[Any]
Flow: TypeAlias = Generator[Intent, Any, T]
"""A flow returning ``T``: yields intents, receives their answers."""
Pages: TypeAlias = Generator[Intent | Emit[T], Any, None]
"""A paging flow: like a flow, and it also emits the items of every page."""
