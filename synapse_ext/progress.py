"""Progress reporting: a small protocol, a silent default and two adapters.

A reporter opens *tasks*; each task is advanced by bytes actually acknowledged by the server
(per chunk or per completed direct upload) or by items completed. The library never prints.
Every method takes ``**kwargs`` so the protocol can grow without breaking implementations.
A task may also have ``set_total(total)``: a total learnt or corrected while it runs (the
ingestion's byte total, see :func:`set_total`); tasks without it keep their first total.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

import attrs

__all__ = [
    "CallbackProgress",
    "NullProgress",
    "ProgressEvent",
    "ProgressReporter",
    "ProgressTask",
    "TqdmProgress",
    "as_reporter",
    "set_total",
]


@runtime_checkable
class ProgressTask(Protocol):
    """One running task (a file upload, a batch of items)."""

    def advance(self, n: int, **kwargs: object) -> None:
        """Record ``n`` more units done."""


def set_total(task: ProgressTask, total: int | None) -> None:
    """Tell ``task`` its new total, if it can take one (a task's optional ``set_total``)."""
    setter = getattr(task, "set_total", None)
    if callable(setter):
        setter(total)


@runtime_checkable
class ProgressReporter(Protocol):
    """Opens tasks: ``with reporter.task(total=..., desc=..., unit="B") as t: t.advance(n)``."""

    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: object
    ) -> contextlib.AbstractContextManager[ProgressTask]:
        """Start a task; it finishes when the context exits."""


class _NullTask:
    def advance(self, n: int, **kwargs: object) -> None:
        return None


class NullProgress:
    """Reports nothing (the default)."""

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: object
    ) -> Iterator[ProgressTask]:
        """Start a task; it finishes when the context exits."""
        yield _NullTask()


@attrs.frozen
class ProgressEvent:
    """What a callback receives: the task's description, unit, totals and the last step."""

    desc: str
    unit: str
    total: int | None
    done: int
    advanced: int
    finished: bool = False


@attrs.define
class _CallbackTask:
    callback: Callable[[ProgressEvent], None]
    desc: str
    unit: str
    total: int | None
    done: int = 0

    def advance(self, n: int, **kwargs: object) -> None:
        self.done += n
        self.callback(ProgressEvent(self.desc, self.unit, self.total, self.done, n))

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.callback(ProgressEvent(self.desc, self.unit, self.total, self.done, 0))


class CallbackProgress:
    """Calls ``callback(ProgressEvent)`` on every advance and once more when a task finishes."""

    def __init__(self, callback: Callable[[ProgressEvent], None]) -> None:
        self._callback = callback

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: object
    ) -> Iterator[ProgressTask]:
        """Start a task; it finishes when the context exits."""
        t = _CallbackTask(self._callback, desc, unit, total)
        yield t
        self._callback(ProgressEvent(desc, unit, t.total, t.done, 0, finished=True))


class _TqdmTask:
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def advance(self, n: int, **kwargs: object) -> None:
        self._bar.update(n)

    def set_total(self, total: int | None) -> None:
        self._bar.total = total
        self._bar.refresh()


class TqdmProgress:
    """One tqdm bar per task; tqdm is imported only when a task starts."""

    def __init__(self, **tqdm_kwargs: object) -> None:
        self._kwargs = tqdm_kwargs

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: object
    ) -> Iterator[ProgressTask]:
        """Start a task; it finishes when the context exits."""
        from tqdm import tqdm  # type: ignore[import-untyped]  # optional: synapse-dc[tqdm]

        options: dict[str, Any] = {"unit_scale": unit == "B", "unit_divisor": 1024}
        options.update(self._kwargs)
        options.update(kwargs)
        with tqdm(total=total, desc=desc, unit=unit, **options) as bar:
            yield _TqdmTask(bar)


def as_reporter(
    progress: ProgressReporter | Callable[[ProgressEvent], None] | None,
) -> ProgressReporter:
    """Normalise ``None`` / a callable / a reporter to a reporter."""
    if progress is None:
        return NullProgress()
    if isinstance(progress, ProgressReporter):
        return progress
    return CallbackProgress(progress)
