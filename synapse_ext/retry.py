"""Retry policy (pure) and the call-level runners that apply it.

A call is retried only when the request was certainly not applied, or when it is idempotent:

* HTTP 408/425/429/502/503/504: retried; 429 and 503 honour ``Retry-After`` (capped at 60 s),
  everything else sleeps a full-jitter ``uniform(0, min(cap, base * 2**n))``.
* ``ClientConnectionError`` (not sent): retried.
* ``ResponseLostError`` (may have been applied): never retried here; callers recover by asking
  the server (chunk offset, finalize state, checksums) or surface it.

Sleep and random are injectable so tests can assert the requested delays without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from .errors import ClientConnectionError, ClientError, ResponseLostError, parse_retry_after

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "run_async", "run_sync"]

logger = logging.getLogger("synapse_ext")
T = TypeVar("T")

Uniform = Callable[[float, float], float]


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

    def is_retryable(self, error: ClientError, *, safe: bool = True) -> bool:
        """True when another attempt is safe and may help (``safe``: resending cannot harm)."""
        if isinstance(error, ResponseLostError):
            return False
        if isinstance(error, ClientConnectionError):
            return True
        statuses = self.retry_statuses if safe else self.unsafe_retry_statuses
        return error.status_code in statuses

    def backoff(self, attempt: int, uniform: Uniform = random.uniform) -> float:
        """Full-jitter exponential wait before retry number ``attempt + 1``."""
        return uniform(0.0, min(self.cap, self.base * 2**attempt))

    def delay(self, error: ClientError, attempt: int, uniform: Uniform = random.uniform) -> float:
        """Seconds to wait after ``error`` on 0-based ``attempt``."""
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
_NO_RETRY = RetryPolicy(max_attempts=1)


def _log_retry(name: str, error: ClientError, attempt: int, delay: float) -> None:
    # Only the operation name, the status and the server's detail: never headers or tokens.
    logger.warning(
        "retrying %s after %s (attempt %d), sleeping %.2fs", name, error, attempt + 1, delay
    )


def run_sync(
    attempt: Callable[[], T],
    *,
    name: str,
    policy: RetryPolicy | None,
    sleep: Callable[[float], None] = time.sleep,
    uniform: Uniform = random.uniform,
    safe: bool = True,
) -> T:
    """Call ``attempt`` until it succeeds or ``policy`` gives up; each call rebuilds its request."""
    policy = policy or _NO_RETRY
    n = 0
    while True:
        try:
            return attempt()
        except ClientError as error:
            delay = policy.next_delay(error, n, uniform, safe=safe)
            if delay is None:
                raise
            _log_retry(name, error, n, delay)
            sleep(delay)
            n += 1


async def _asleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def run_async(
    attempt: Callable[[], Awaitable[T]],
    *,
    name: str,
    policy: RetryPolicy | None,
    sleep: Callable[[float], Awaitable[None]] = _asleep,
    uniform: Uniform = random.uniform,
    safe: bool = True,
) -> T:
    """Async twin of :func:`run_sync`."""
    policy = policy or _NO_RETRY
    n = 0
    while True:
        try:
            return await attempt()
        except ClientError as error:
            delay = policy.next_delay(error, n, uniform, safe=safe)
            if delay is None:
                raise
            _log_retry(name, error, n, delay)
            await sleep(delay)
            n += 1
