"""An adaptive concurrency limit: slow start, then additive increase, multiplicative decrease.

:class:`AdaptiveLimit` is pure: it performs no I/O and reads time only through the clock it
is given. The drivers gate the sub-flows of a ``Parallel`` on :attr:`AdaptiveLimit.current`
and report every finished request to it (:meth:`AdaptiveLimit.observe`); what counts as a
congestion signal is :func:`signal_of`. See ``docs/decisions.md`` (adaptive concurrency).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from enum import Enum

import attrs

from ..errors import ClientError, NoResponseError, StorageError

__all__ = [
    "CONGESTION_STATUSES",
    "AdaptiveLimit",
    "ConcurrencyStats",
    "Signal",
    "current_limit",
    "signal_of",
]

CONGESTION_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses that say the server or a proxy in front of it is overloaded."""


class Signal(Enum):
    """How one request ended, as far as concurrency is concerned."""

    OK = "ok"
    CONGESTION = "congestion"
    """Throttled, overloaded, a failing proxy or a broken connection: send less at once."""
    ERROR = "error"
    """Any other error (a 404, a rejected body): says nothing about the link."""


def signal_of(answer: object) -> Signal:
    """The :class:`Signal` of a request's answer (its value, or the ``ClientError``)."""
    if not isinstance(answer, ClientError):
        return Signal.OK
    if isinstance(answer, NoResponseError):  # refused, reset, timed out: no answer came
        return Signal.CONGESTION
    if answer.status_code in CONGESTION_STATUSES:
        return Signal.CONGESTION
    if isinstance(answer, StorageError) and answer.status_code == 400 and answer.code is None:
        return Signal.CONGESTION  # a proxy's text/html 400, not the storage's own answer
    return Signal.ERROR


@attrs.frozen
class ConcurrencyStats:
    """What an adaptive limit did: where it started, its highest and lowest values, where it
    ended, its ceiling, how often it backed off, and how many requests it observed."""

    start: int
    peak: int
    lowest: int
    final: int
    ceiling: int
    decreases: int
    observed: int


class AdaptiveLimit:
    """A concurrency limit between 1 and ``ceiling`` that follows the link (thread-safe).

    Requests are observed in *rounds* of at least ``current`` completions (one "window" in
    flight) and about one round trip: 3/4 of the smoothed duration of the requests seen so
    far (an EWMA with weight 1/8, as TCP's SRTT; a window answered in one burst after one
    round trip ends the round at that burst), never less than ``min_round`` seconds. At the
    end of a round without congestion the limit grows if the round's completion rate beat
    the best rate measured since the start or the last decrease (the first round after
    either always grows): in *slow start* (first) it doubles when the rate rose by at least
    ``slow_start_gain``, until the first round that does not; from then on, and after any
    decrease, it grows by ``step`` when the rate rose by at least ``gain``. Anything less
    holds it (so noise on a flat link, whose best round is its luckiest, does not walk the
    limit up). The round after a growth only
    *settles* (its completions are still those of the smaller window) and is not measured.
    A congestion signal multiplies the limit by ``backoff`` at once, at most once per round:
    a signal from a request that started before the last decrease is a consequence of the
    old limit and is not counted again.
    """

    def __init__(
        self,
        ceiling: int,
        *,
        start: int | None = None,
        step: int = 1,
        backoff: float = 0.5,
        gain: float = 0.05,
        slow_start_gain: float = 0.25,
        min_round: float = 0.005,
        slow_start: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ceiling < 1:
            raise ValueError("ceiling must be >= 1")
        if not 0.0 < backoff < 1.0:
            raise ValueError("backoff must be within (0, 1)")
        self.ceiling = ceiling
        self.clock = clock
        self._step, self._backoff, self._gain = step, backoff, gain
        self._slow_start_gain = slow_start_gain
        self._min_round = min_round
        self._slow_start = slow_start
        self._lock = threading.Lock()
        self._limit = max(1, min(ceiling, start if start is not None else ceiling))
        self._start = self._peak = self._lowest = self._limit
        self._decreases = self._observed = 0
        self._last_decrease = float("-inf")
        self._srtt: float | None = None
        self._round_start: float | None = None
        self._round_done = self._rounds = 0
        self._settling = False
        self._best_rate: float | None = None
        self.history: deque[tuple[float, int]] = deque([(clock(), self._limit)], maxlen=1000)
        """``(time, limit)`` at the start and at every change (the last 1000)."""

    @property
    def current(self) -> int:
        """How many requests may be in flight now."""
        return self._limit

    @property
    def slow_start(self) -> bool:
        """Whether the limit still doubles per rising round (False after the first flat
        round or any decrease)."""
        return self._slow_start

    @property
    def round_trip(self) -> float | None:
        """The smoothed duration of the requests observed (seconds; None before the first)."""
        return self._srtt

    @property
    def rounds(self) -> int:
        """How many rounds ended so far."""
        return self._rounds

    def round_length(self) -> float:
        """How long a round lasts at least: 3/4 of :attr:`round_trip`, at least ``min_round``."""
        return max(self._min_round, 0.75 * (self._srtt or 0.0))

    def stats(self) -> ConcurrencyStats:
        """A snapshot of what the limit did so far."""
        with self._lock:
            return ConcurrencyStats(
                self._start,
                self._peak,
                self._lowest,
                self._limit,
                self.ceiling,
                self._decreases,
                self._observed,
            )

    def now(self) -> float:
        """The injected clock's time (what the drivers stamp a request's start with)."""
        return self.clock()

    def observe(self, signal: Signal, started: float) -> None:
        """One request finished with ``signal``; it was sent at ``started`` (:meth:`now`)."""
        with self._lock:
            now = self.clock()
            self._observed += 1
            if signal is Signal.CONGESTION:  # its duration may be a timeout: not a round trip
                if started >= self._last_decrease:
                    self._decrease(now)
                return
            duration = max(0.0, now - started)
            self._srtt = (
                duration if self._srtt is None else self._srtt + (duration - self._srtt) / 8
            )
            if self._round_start is None:
                self._round_start = started
            self._round_done += 1
            if self._round_done >= self._limit and now - self._round_start >= self.round_length():
                self._end_round(now)

    def _decrease(self, now: float) -> None:
        self._set(max(1, int(self._limit * self._backoff)), now)
        self._decreases += 1
        self._slow_start = False
        self._last_decrease = now
        self._round_start, self._round_done, self._best_rate = None, 0, None
        self._settling = False

    def _end_round(self, now: float) -> None:
        assert self._round_start is not None
        elapsed = now - self._round_start
        rate = self._round_done / elapsed if elapsed > 0 else float("inf")
        self._rounds += 1
        self._round_start, self._round_done = now, 0
        if self._settling:  # the window just grew: its rate shows in the next round
            self._settling = False
            return
        gain = self._slow_start_gain if self._slow_start else self._gain
        best = self._best_rate
        rising = best is None or rate >= best * (1.0 + gain)
        self._best_rate = rate if best is None else max(best, rate)
        if not rising:
            self._slow_start = False  # an added slot no longer adds throughput
            return
        if self._limit < self.ceiling:
            grown = self._limit * 2 if self._slow_start else self._limit + self._step
            self._set(min(self.ceiling, grown), now)
            self._settling = True

    def _set(self, limit: int, now: float) -> None:
        if limit != self._limit:
            self._limit = limit
            self._peak = max(self._peak, limit)
            self._lowest = min(self._lowest, limit)
            self.history.append((now, limit))


current_limit: ContextVar[AdaptiveLimit | None] = ContextVar(
    "synapse_ext_adaptive_limit", default=None
)
"""The adaptive limit the requests of the running sub-flow report to (set by the drivers)."""
