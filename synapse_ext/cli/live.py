"""Progress on stderr: a rich live display, plain text lines, or nothing.

Both reporters implement :class:`synapse_ext.ProgressReporter`. Ingestion opens two tasks
(``data units``, counted in groups, and ``file content``, in bytes); the client opens one per
file, which the rich display shows only for chunked files, and only while they run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TaskID, TextColumn
from rich.progress import Task as RichTask
from rich.text import Text

from ..progress import NullProgress, ProgressReporter, ProgressTask
from .rate import RateMeter
from .sizes import format_size

__all__ = ["PROGRESS_MODES", "PlainProgress", "RichProgress", "progress_display"]

PROGRESS_MODES = ("auto", "bar", "plain", "none")


def _amount(done: float, total: float | None, unit: str) -> str:
    if unit == "B":
        return format_size(done) + (f" / {format_size(total)}" if total else "")
    count = total if total else done
    plural = unit if unit.endswith("s") or count == 1 else unit + "s"
    return f"{int(done)}/{int(total)} {plural}" if total else f"{int(done)} {plural}"


def _rate(speed: float | None, unit: str) -> str:
    """``1.2 MiB/s``, ``35.0 groups/s``; empty while unknown."""
    if not speed:
        return ""
    if unit == "B":
        return f"{format_size(speed)}/s"
    return f"{speed:.1f} {unit if unit.endswith('s') else unit + 's'}/s"


def _eta(seconds: float | None) -> str:
    """``ETA 0:01:05`` (empty while unknown)."""
    if seconds is None:
        return ""
    whole = int(seconds + 0.5)
    return f"ETA {whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _figures(
    done: float, total: float | None, unit: str, speed: float | None, *, final: bool, note: str = ""
) -> str:
    """``3/5 groups  1.5 groups/s  ETA 0:00:02`` (no ETA once done or while unknown)."""
    parts = [_amount(done, total, unit) + note, _rate(speed, unit)]
    if speed and total is not None and not final:
        parts.append(_eta(max(total - done, 0) / speed))
    return "  ".join(p for p in parts if p)


def _overall(done: float, elapsed: float | None) -> float | None:
    """The average over the whole task: the rate a finished task shows."""
    return done / elapsed if elapsed and elapsed > 0 and done else None


class _AmountColumn(ProgressColumn):
    """``3/5 groups  1.5 groups/s  ETA 0:00:02``, ``12.0 KiB / 40.0 KiB  4.0 KiB/s  ETA ...``.

    Rate and ETA come from the task's :class:`RateMeter` (rich's own short-window speed
    swings by orders of magnitude as uploads finish in bursts); a finished task shows its
    average."""

    def render(self, task: RichTask) -> Text:
        unit = str(task.fields.get("unit", "it"))
        meter = task.fields.get("meter")
        if task.finished:
            speed = _overall(task.completed, task.elapsed)
        else:
            speed = meter.rate() if isinstance(meter, RateMeter) else None
        return Text(_figures(task.completed, task.total, unit, speed, final=task.finished))


class _RichTask:
    def __init__(self, progress: Progress, task_id: TaskID, meter: RateMeter) -> None:
        self._progress = progress
        self._id = task_id
        self._meter = meter

    def advance(self, n: int, **kwargs: Any) -> None:
        self._meter.add(n)
        self._progress.advance(self._id, n)

    def set_total(self, total: int | None) -> None:
        self._progress.update(self._id, total=total)


class RichProgress:
    """Rich tasks on ``progress``; ``transient`` tasks vanish when done, those under
    ``min_total`` are not shown at all (e.g. small files uploaded in one request)."""

    def __init__(
        self,
        progress: Progress,
        *,
        transient: bool = False,
        min_total: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.progress = progress
        self._transient = transient
        self._min_total = min_total
        self._clock = clock

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: Any
    ) -> Iterator[ProgressTask]:
        if self._transient and (total is None or total < self._min_total):
            with NullProgress().task(total, desc, unit) as null:
                yield null
            return
        meter = RateMeter(self._clock)
        task_id = self.progress.add_task(desc, total=total, unit=unit, meter=meter)
        try:
            yield _RichTask(self.progress, task_id, meter)
        finally:
            if self._transient:
                self.progress.remove_task(task_id)
            else:
                task = self.progress.tasks[task_id]
                done = task.completed if task.total is None else task.total
                self.progress.update(task_id, total=max(done, 1), completed=done)


def rich_progress(console: Console) -> Progress:
    """The live display used by ``synapse-dc upload``."""
    return Progress(
        TextColumn("{task.description:>14}"),
        BarColumn(),
        _AmountColumn(),
        console=console,
    )


class _PlainTask:
    def __init__(self, owner: PlainProgress, desc: str, total: int | None, unit: str) -> None:
        self._owner = owner
        self._desc = desc
        self._total = total
        self._unit = unit
        self._done = 0
        self._last: float | None = None
        self._start = owner.clock()
        self._meter = RateMeter(owner.clock)

    def show(self, final: bool = False) -> None:
        if final:
            speed = _overall(self._done, self._owner.clock() - self._start)
        else:
            speed = self._meter.rate()
        note = " (done)" if final else ""
        text = _figures(self._done, self._total, self._unit, speed, final=final, note=note)
        self._owner.write(f"progress: {self._desc} {text}")

    def set_total(self, total: int | None) -> None:
        with self._owner.lock:
            self._total = total

    def advance(self, n: int, **kwargs: Any) -> None:
        with self._owner.lock:
            self._done += n
            self._meter.add(n)
            now = self._owner.clock()
            if self._last is None or now - self._last >= self._owner.interval:
                self._last = now
                self.show()


class PlainProgress:
    """One ``progress:`` line per task at most every ``interval`` seconds, and when it ends."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.write = write
        self.interval = interval
        self.clock = clock
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: Any
    ) -> Iterator[ProgressTask]:
        task = _PlainTask(self, desc, total, unit)
        try:
            yield task
        finally:
            with self.lock:
                task.show(final=True)


@contextlib.contextmanager
def progress_display(
    mode: str, console: Console, *, large_file: int
) -> Iterator[tuple[ProgressReporter, ProgressReporter]]:
    """``(ingestion reporter, per-file reporter)`` for ``mode``; a live display runs inside.

    ``auto`` shows the rich display when stderr is a terminal, else nothing; ``bar`` forces
    it; ``plain`` writes text lines on stderr; ``none`` shows nothing.
    """
    if mode == "auto":
        mode = "bar" if console.is_terminal else "none"
    if mode == "plain":
        yield PlainProgress(lambda line: console.print(line, markup=False)), NullProgress()
        return
    if mode == "none":
        yield NullProgress(), NullProgress()
        return
    forced = console if console.is_terminal else Console(stderr=True, force_terminal=True)
    with rich_progress(forced) as progress:
        yield RichProgress(progress), RichProgress(progress, transient=True, min_total=large_file)
