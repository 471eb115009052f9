"""The byte total of the ``file content`` progress bar, known from the start and kept exact.

Before anything is sent, the bytes of every window's distinct files are summed (one stat per
local file; a source file's size comes from its listing). That is the total the bar starts
with. When a window is planned, the bytes it will really send replace its listed bytes
(files already on the server or done in an earlier run drop out), and a file whose upload
fails or that the server turned out to hold drops out too; so the bar ends at exactly its
total and its rate and ETA count only bytes that travel.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from .._flow import batched
from ..progress import ProgressTask, set_total
from ..sources import SourcePath, file_key
from .results import as_group

__all__ = ["ByteTotal", "listed_bytes"]


def _size(ref: Any) -> int | None:
    """The size without a request, ``None`` when only a request could tell; 0 if unreadable."""
    if isinstance(ref, SourcePath):
        return None if ref.size is None else int(ref.size)
    try:
        return int(ref.stat().st_size)
    except OSError:
        return 0  # the ingestion reports it; it sends nothing


def listed_bytes(data: Sequence[Any], window: int) -> list[int] | None:
    """Bytes of the distinct files of each window of ``data``; ``None`` if a size is unknown."""
    out: list[int] = []
    for number, items in enumerate(batched(data, window)):
        seen: dict[str, int] = {}
        for offset, item in enumerate(items):
            try:
                group = as_group(item, number * window + offset)
            except (TypeError, ValueError):
                continue  # reported as invalid when its window runs
            for ref in group.files.values():
                key = file_key(ref)
                if key not in seen:
                    size = _size(ref)
                    if size is None:
                        return None
                    seen[key] = size
        out.append(sum(seen.values()))
    return out


@attrs.define
class ByteTotal:
    """Keeps ``task``'s total equal to the bytes the ingestion will have sent at its end."""

    task: ProgressTask
    windows: deque[int] | None
    total: int = 0
    _open: int | None = None

    @classmethod
    def start(cls, task: ProgressTask, listed: Iterable[int] | None) -> ByteTotal:
        """Announce the sum of ``listed`` (one figure per window) as the task's total."""
        if listed is None:
            return cls(task, None)
        figures = deque(listed)
        made = cls(task, figures, sum(figures))
        set_total(task, made.total)
        return made

    def begin_window(self) -> None:
        """A window starts: its listed bytes are pending until :meth:`planned`."""
        if self.windows is None:
            return
        self.planned(0)  # a window that planned nothing (everything done, or failed)
        self._open = self.windows.popleft() if self.windows else 0

    def planned(self, nbytes: int) -> None:
        """The open window will send ``nbytes``: they replace its listed bytes."""
        if self.windows is None or self._open is None:
            return
        self._change(nbytes - self._open)
        self._open = None

    def finish(self) -> None:
        """The last window is over (planned or not)."""
        self.planned(0)

    def dropped(self, nbytes: int) -> None:
        """``nbytes`` planned will not be sent after all (a failure, or already held)."""
        if self.windows is not None:
            self._change(-nbytes)

    def _change(self, delta: int) -> None:
        if delta:
            self.total += delta
            set_total(self.task, self.total)
