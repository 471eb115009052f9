"""Bisecting a rejected batch (pure): halves, recursively, until single items fail alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .intents import Flow

__all__ = ["Rejection", "bisected"]

T = TypeVar("T")
E = TypeVar("E")

Rejection = tuple[list[T], E]
"""What a send rejected as a whole (a part of the batch it was given, or all of it), and why."""


def bisected(
    batch: list[T],
    send: Callable[[list[T]], Flow[Rejection[T, E] | None]],
    reject: Callable[[list[T], E], object],
) -> Flow[None]:
    """Send ``batch``; split what the server rejected as a whole in halves, recursively.

    ``send(items)`` is a flow that sends ``items`` (with whatever retries and reconciliation
    its request needs) and returns None when it is done with them, or ``(rejected, error)``
    when the server rejected ``rejected`` (``items``, or the part of them left after a
    reconciliation) as a whole: each half is then sent on its own, and a single item rejected
    alone is reported with ``reject([item], error)``.
    """
    rejection = yield from send(batch)
    if rejection is None:
        return
    rejected, error = rejection
    if len(rejected) <= 1:
        if rejected:
            reject(rejected, error)
        return
    half = len(rejected) // 2
    yield from bisected(rejected[:half], send, reject)
    yield from bisected(rejected[half:], send, reject)
