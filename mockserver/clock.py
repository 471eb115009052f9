"""Injectable clocks: the real UTC clock and a manual one for expiry tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "ManualClock", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (``advance``/``set``); thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **delta: float) -> None:
        """Move the clock forward by ``seconds`` and/or ``timedelta`` keywords (``minutes=``)."""
        with self._lock:
            self._now += timedelta(seconds=seconds, **delta)

    def set(self, moment: datetime) -> None:
        """Set the clock to ``moment``."""
        with self._lock:
            self._now = moment
