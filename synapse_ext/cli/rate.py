"""The rate and ETA of one progress task: smoothed, and never a wild first estimate.

Uploads report in bursts (a PUT, a part, a batch of units at once) and a run spends its
first seconds listing and hashing before anything moves, so the average since the task
began is wrong both ways: minutes of ETA for a two-second job, or a spike after a burst.
:class:`RateMeter` measures from the first step instead (the time before it is not part of
the rate), keeps an exponentially weighted average of the steps since (time constant
``tau`` seconds, corrected for its start so early figures are not biased towards zero) and
says nothing until ``warmup`` seconds of steps have passed. When no step comes for longer
than ``tau`` the rate decays, so a stalled run does not keep promising its last ETA.
Both displays (rich and plain) use it; the clock is injected.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateMeter"]


class RateMeter:
    """Smoothed units per second of one task, fed by its steps (``add``)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        tau: float = 5.0,
        warmup: float = 2.0,
    ) -> None:
        if tau <= 0 or warmup < 0:
            raise ValueError("tau must be > 0 and warmup >= 0")
        self.clock = clock
        self.tau = tau
        self.warmup = warmup
        self._first: float | None = None
        self._last = 0.0
        self._smoothed = 0.0
        self._lock = threading.Lock()

    def add(self, n: float) -> None:
        """``n`` more units done now (the first step only starts the measure)."""
        if n <= 0:
            return
        now = self.clock()
        with self._lock:
            if self._first is None:
                self._first = self._last = now  # how long this step took is unknown
                return
            dt = now - self._last
            if dt <= 0:  # the same instant: the limit of the update below as dt → 0
                self._smoothed += n / self.tau
                return
            weight = -math.expm1(-dt / self.tau)
            self._smoothed += weight * (n / dt - self._smoothed)
            self._last = now

    def rate(self) -> float | None:
        """Units per second, or ``None`` while warming up (or when nothing moves)."""
        now = self.clock()
        with self._lock:
            if self._first is None:
                return None
            span = self._last - self._first
            if span <= 0 or span < self.warmup:
                return None
            speed = self._smoothed / -math.expm1(-span / self.tau)
            quiet = now - self._last
        if quiet > self.tau:
            speed *= math.exp(-(quiet - self.tau) / self.tau)
        return speed if speed > 0 else None

    def eta(self, remaining: float) -> float | None:
        """Seconds until ``remaining`` more units are done at :meth:`rate`, or ``None``."""
        speed = self.rate()
        if speed is None:
            return None
        return max(remaining, 0.0) / speed
