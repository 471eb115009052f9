"""Batch splitting and the retry rules for data-unit batches (contract §7). Pure.

A unit batch POST is not idempotent on v1, so what to do after a failure depends on whether
the server may have applied it:

* ``RETRY``: certainly not applied (connection not made, 408/425/429): resend after a
  full-jitter wait ``uniform(0, base * 2**n)`` (or ``Retry-After``).
* ``RECONCILE``: maybe applied (response lost, any 5xx): list the collection's units, mark
  what exists as done, then resend only the missing groups.
* ``SPLIT``: rejected as invalid (400/422): nothing was applied; bisect to isolate the bad
  group(s) so the others still get created.
* ``FAIL``: any other 4xx: report every group of the batch as failed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from itertools import islice
from typing import TypeVar

import attrs

from .errors import ClientConnectionError, ClientError, ResponseLostError, ServerError

__all__ = ["BatchAction", "UnitBatchPolicy", "batched", "classify_unit_batch_error"]

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (streams ``items``)."""
    if size < 1:
        raise ValueError("batch size must be >= 1")
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class BatchAction(Enum):
    """What to do after a unit batch failed."""

    RETRY = "retry"
    RECONCILE = "reconcile"
    SPLIT = "split"
    FAIL = "fail"


_NOT_APPLIED_STATUSES = frozenset({408, 425, 429})


def classify_unit_batch_error(error: ClientError) -> BatchAction:
    """The action for ``error`` raised by a data-unit batch POST."""
    if isinstance(error, ResponseLostError):
        return BatchAction.RECONCILE
    if isinstance(error, ClientConnectionError):
        return BatchAction.RETRY
    if isinstance(error, ServerError) or (error.status_code or 0) >= 500:
        return BatchAction.RECONCILE
    if error.status_code in _NOT_APPLIED_STATUSES:
        return BatchAction.RETRY
    if error.status_code in (400, 422):
        return BatchAction.SPLIT
    return BatchAction.FAIL


@attrs.frozen
class UnitBatchPolicy:
    """Attempts and waits for one unit batch (contract §7: 2 extra attempts, full jitter)."""

    max_attempts: int = 3
    base: float = 0.5
    retry_after_cap: float = 60.0

    def delay(
        self,
        attempt: int,
        error: ClientError | None = None,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> float:
        """Wait before attempt ``attempt + 1`` (0-based ``attempt`` just failed)."""
        hint = getattr(error, "retry_after", None)
        if isinstance(hint, int | float) and hint >= 0:
            return min(float(hint), self.retry_after_cap)
        return uniform(0.0, self.base * 2**attempt)
