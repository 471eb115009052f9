"""The one retry policy: which failures are worth another attempt, and how long to wait. Pure.

Every flow that retries (ordinary calls, chunks, finalize polls, unit batches, tasks, pages)
asks the same :class:`RetryPolicy`; no request is retried by two layers.

* HTTP 408/425/429/502/503/504 are retried; 429 and 503 honour ``Retry-After`` (capped at
  60 s); every other wait is full jitter ``uniform(0, min(cap, base * 2**n))``.
* ``RequestNotSentError`` (the request never reached the server) is retried.
* ``ResponseLostError`` (may have been applied) is retried only for requests that cannot be
  applied twice (``safe``); the flows of unsafe requests recover by asking the server.
* Requests that must not be applied twice (POSTs of files and units) are retried only on
  statuses that say they were not processed (408/425/429/503): a 500/502/504 can follow a
  backend commit.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs

from .errors import ClientError, RequestNotSentError, ResponseLostError, parse_retry_after

__all__ = ["DEFAULT_RETRY", "NO_RETRY", "UNIT_BATCH_RETRY", "RetryPolicy", "Uniform"]

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
    retry_statuses: frozenset[int] = frozenset({408, 425, 429, 502, 503, 504})
    """HTTP statuses worth another attempt."""
    unsafe_retry_statuses: frozenset[int] = frozenset({408, 425, 429, 503})
    """Statuses retried for requests that must not be applied twice (POSTs of units, files):
    ones that say the request was not processed. A 502/504 can follow a backend commit."""
    retry_after_statuses: frozenset[int] = frozenset({429, 503})
    """Statuses whose ``Retry-After`` header is honoured."""
    finalize_polls: int = 5
    """State reads after a lost chunked-upload finalize."""
    finalize_poll_base: float = 2.0
    """Poll ``n`` waits ``uniform(0, finalize_poll_base * 2**n)`` first."""

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")

    def is_retryable(self, error: ClientError, *, safe: bool = True) -> bool:
        """True when another attempt is allowed and may help (``safe``: resending cannot harm)."""
        if isinstance(error, RequestNotSentError):
            return True
        if isinstance(error, ResponseLostError):
            return safe
        statuses = self.retry_statuses if safe else self.unsafe_retry_statuses
        return error.status_code in statuses

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
