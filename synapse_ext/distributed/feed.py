"""Progress of a sharded run: shards report counts, the driver shows one display.

A shard reports *cumulative* counts (groups done, bytes sent) of its current attempt; the
driver keeps, per shard, the furthest counts any attempt reached and advances its own two
progress tasks by the difference. A shard retried after its worker died therefore never
makes the display go backwards or count a group twice. On Dask the counts travel as
scheduler events (``Worker.log_event`` → ``Client.subscribe_topic``) a few times a second;
on any other executor the driver learns them when a shard completes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..progress import ProgressTask

__all__ = ["ProgressMerger", "ShardReporter", "dask_emitter"]

Emit = Callable[[dict[str, Any]], None]


class ProgressMerger:
    """Driver side: per-shard counts (furthest attempt) → the run's two progress tasks."""

    def __init__(self, groups_task: ProgressTask, bytes_task: ProgressTask) -> None:
        self._groups = groups_task
        self._bytes = bytes_task
        self._seen: dict[int, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def report(self, shard: int, groups: int, nbytes: int) -> None:
        """Shard ``shard`` has done ``groups`` groups and sent ``nbytes`` bytes (cumulative)."""
        with self._lock:
            old_groups, old_bytes = self._seen.get(shard, (0, 0))
            new_groups, new_bytes = max(old_groups, groups), max(old_bytes, nbytes)
            self._seen[shard] = (new_groups, new_bytes)
        if new_groups > old_groups:
            self._groups.advance(new_groups - old_groups)
        if new_bytes > old_bytes:
            self._bytes.advance(new_bytes - old_bytes)

    def on_event(self, event: Any) -> None:
        """A Dask event ``(timestamp, message)`` from :func:`dask_emitter`."""
        _, msg = event
        if isinstance(msg, dict):
            self.report(int(msg["shard"]), int(msg["groups"]), int(msg["bytes"]))


class _Task:
    def __init__(self, owner: ShardReporter, field: str) -> None:
        self._owner, self._field = owner, field

    def advance(self, n: int, **kwargs: object) -> None:
        self._owner.add(self._field, n)


class ShardReporter:
    """Worker side: a progress reporter that sends throttled cumulative counts to ``emit``."""

    def __init__(
        self, shard: int, attempt: str, emit: Emit | None, *, interval: float = 0.25
    ) -> None:
        self._shard, self._attempt, self._emit = shard, attempt, emit
        self._interval = interval
        self._counts = {"groups": 0, "bytes": 0}
        self._last = float("-inf")  # the first count is sent at once
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: object
    ) -> Iterator[ProgressTask]:
        """Start a task; it finishes when the context exits."""
        yield _Task(self, "bytes" if unit == "B" else "groups")

    def add(self, field: str, n: int) -> None:
        """Count ``n`` more; send the counts when the last send is old enough."""
        with self._lock:
            self._counts[field] += n
            now = time.monotonic()
            due = now - self._last >= self._interval
            if due:
                self._last = now
        if due:
            self.flush()

    def flush(self) -> None:
        """Send the current counts now."""
        if self._emit is None:
            return
        with self._lock:
            msg = {"shard": self._shard, "attempt": self._attempt, **self._counts}
        with contextlib.suppress(Exception):  # progress must never fail a shard
            self._emit(msg)


def dask_emitter(topic: str) -> Emit | None:
    """Inside a Dask worker: a function that logs events on ``topic``; elsewhere ``None``."""
    try:
        from distributed import get_worker
    except ImportError:
        return None
    try:
        worker = get_worker()
    except ValueError:  # not running on a Dask worker
        return None

    def emit(msg: dict[str, Any]) -> None:
        worker.log_event(topic, msg)

    return emit
