"""The one retry policy: what to do after a failure, and how long to wait. Pure.

Every flow that retries (ordinary calls, chunks, data files, storage PUTs, finalize polls,
unit batches, tasks, pages) asks the same :class:`RetryPolicy`; no request is retried by two
layers. :meth:`RetryPolicy.decide` is the one classifier: a failure (its status or transport
error), whether resending it is harmless (``safe``), whether it is a batch whose items can be
isolated (``splittable``) and whether it went to object storage (``storage``) give one
:class:`Decision`:

==========================================  ===========  ==============  ===================
failure                                     safe         unsafe          storage PUT
==========================================  ===========  ==============  ===================
not sent (``RequestNotSentError``)          RETRY        RETRY           RETRY
answer lost (``ResponseLostError``)         RETRY        RECONCILE       RETRY
408, 425, 429, 503: not processed           RETRY        RETRY           RETRY
500, 502, 504: maybe applied                RETRY        RECONCILE       RETRY
other 5xx                                   FAIL         FAIL            RETRY
400, 422 (a batch: ``splittable``)          SPLIT        SPLIT           FAIL
4xx without a storage ``Code`` (a proxy)    FAIL         FAIL            RETRY
an unreadable answer (``ProtocolError``)    FAIL         FAIL            RETRY
anything else                               FAIL         FAIL            FAIL
==========================================  ===========  ==============  ===================

RETRY waits (:meth:`RetryPolicy.delay`: ``Retry-After`` of 429/503 honoured, capped at 60 s;
else full jitter ``uniform(0, min(cap, base * 2**n))``) and resends, within ``max_attempts``;
RECONCILE asks the server what it holds before anything is sent again (the flow knows how:
a chunk's offset, a checksum, a listing); SPLIT bisects the batch; FAIL raises or reports.
A 503 says the request was not processed (RFC 9110); 500/502/504 can follow a backend commit.
An expired presigned URL (``PresignedUrlExpiredError``) is FAIL: new URLs are the caller's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from enum import StrEnum

import attrs

from .errors import (
    MAYBE_APPLIED,
    ClientError,
    PresignedUrlExpiredError,
    ProtocolError,
    RequestNotSentError,
    ResponseLostError,
    StorageError,
    parse_retry_after,
)

__all__ = ["DEFAULT_RETRY", "NO_RETRY", "UNIT_BATCH_RETRY", "Decision", "RetryPolicy", "Uniform"]


class Decision(StrEnum):
    """What a flow does after a failed request (:meth:`RetryPolicy.decide`)."""

    RETRY = "retry"
    """Not applied, or harmless to apply again: wait (:meth:`RetryPolicy.delay`) and resend."""
    RECONCILE = "reconcile"
    """Maybe applied, and applying it twice would duplicate: ask the server first."""
    SPLIT = "split"
    """A batch rejected as invalid (400/422): nothing applied; bisect to isolate the bad items."""
    FAIL = "fail"
    """Final: raise or report it."""


Uniform = Callable[[float, float], float]
"""``random.uniform``-like: a number between the two bounds (injectable for tests)."""


@attrs.frozen
class RetryPolicy:
    """When and how long to wait before another attempt. Pure: no I/O, no clock."""

    max_attempts: int = 4
    """Attempts in total, including the first."""
    base: float = 0.5
    """Backoff base in seconds: attempt ``n`` (0-based) waits ``uniform(0, base * 2**n)``."""
    cap: float = 30.0
    """Upper bound of one backoff wait."""
    retry_after_cap: float = 60.0
    """Upper bound of an honoured ``Retry-After``."""
    retry_statuses: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})
    """HTTP statuses worth another attempt of a request that is harmless to apply twice."""
    unsafe_retry_statuses: frozenset[int] = frozenset({408, 425, 429, 503})
    """Statuses retried for requests that must not be applied twice (POSTs of units, files):
    ones that say the request was not processed."""
    maybe_applied_statuses: frozenset[int] = MAYBE_APPLIED
    """Statuses that can follow a backend commit (a proxy timing out, a crash mid-answer): a
    request that must not be applied twice is reconciled, not resent."""
    retry_after_statuses: frozenset[int] = frozenset({429, 503})
    """Statuses whose ``Retry-After`` header is honoured."""
    finalize_polls: int = 5
    """State reads after a lost chunked-upload finalize."""
    finalize_poll_base: float = 2.0
    """Poll ``n`` waits ``uniform(0, finalize_poll_base * 2**n)`` first."""

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")

    def decide(
        self,
        error: ClientError,
        *,
        safe: bool = True,
        splittable: bool = False,
        storage: bool = False,
    ) -> Decision:
        """The :class:`Decision` after ``error`` (the table of this module's docstring).

        ``safe``: applying the request twice cannot harm (reads, idempotent writes);
        ``splittable``: a batch whose rejected items can be isolated; ``storage``: a PUT to a
        presigned URL (idempotent; a 4xx without a storage ``Code`` is a proxy's, transient).
        """
        status = error.status_code
        if isinstance(error, PresignedUrlExpiredError):
            return Decision.FAIL
        if isinstance(error, RequestNotSentError):
            return Decision.RETRY
        if isinstance(error, ResponseLostError):
            return Decision.RETRY if safe or storage else Decision.RECONCILE
        if storage:
            transient = (
                isinstance(error, ProtocolError)
                or (status is not None and status >= 500)
                or status in self.retry_statuses
                or (isinstance(error, StorageError) and error.code is None and status is not None)
            )
            return Decision.RETRY if transient else Decision.FAIL
        if status in (self.retry_statuses if safe else self.unsafe_retry_statuses):
            return Decision.RETRY
        if not safe and status in self.maybe_applied_statuses:
            return Decision.RECONCILE
        if splittable and status in (400, 422):
            return Decision.SPLIT
        return Decision.FAIL

    def is_retryable(self, error: ClientError, *, safe: bool = True) -> bool:
        """True when ``error`` is worth resending as it is (:meth:`decide` says RETRY)."""
        return self.decide(error, safe=safe) is Decision.RETRY

    def backoff(self, attempt: int, uniform: Uniform = random.uniform) -> float:
        """Full-jitter exponential wait before retry number ``attempt + 1``."""
        return uniform(0.0, min(self.cap, self.base * 2**attempt))

    def delay(self, error: ClientError, attempt: int, uniform: Uniform = random.uniform) -> float:
        """Seconds to wait after ``error`` on 0-based ``attempt`` (``Retry-After`` first)."""
        if error.status_code in self.retry_after_statuses and error.response is not None:
            hint = parse_retry_after(error.response.headers.get("Retry-After"))
            if hint is not None:
                return min(hint, self.retry_after_cap)
        return self.backoff(attempt, uniform)

    def next_delay(
        self,
        error: ClientError,
        attempt: int,
        uniform: Uniform = random.uniform,
        *,
        safe: bool = True,
    ) -> float | None:
        """The wait before another attempt, or ``None`` when ``error`` must be raised."""
        if attempt + 1 >= self.max_attempts or not self.is_retryable(error, safe=safe):
            return None
        return self.delay(error, attempt, uniform)


DEFAULT_RETRY = RetryPolicy()
"""The clients' default: 4 attempts, full jitter, ``Retry-After`` honoured (capped at 60 s)."""
NO_RETRY = RetryPolicy(max_attempts=1)
"""One attempt, no retry (what ``retry=None`` means)."""
UNIT_BATCH_RETRY = RetryPolicy(max_attempts=3)
"""Contract §7 for data-unit batches: two extra attempts, full jitter."""
