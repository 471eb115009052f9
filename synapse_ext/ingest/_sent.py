"""The bytes bar's share of one planned upload: advanced as its bytes are acknowledged.

Each planned file gets one :class:`FileBytes`. The upload engines advance it as each of its
requests is acknowledged: a v2 storage PUT or multipart part, a v1 chunk, a v1 direct upload.
It forwards those bytes to the ingestion's ``file content`` task at once, so the bar follows
the bytes on the wire rather than the batches, but never more than the file's size in all:
a part sent again with a fresh URL, or a chunked upload started over, is not counted twice.
When the upload's outcome is known the engine settles it (:meth:`FileBytes.complete`): a
stored file's unreported rest is added (none when every request reported), a failed file's
unsent rest leaves the bar's total instead, so the bar ends at exactly its total.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import attrs

from ..progress import NullProgress, ProgressReporter, ProgressTask

__all__ = ["FileBytes"]


@attrs.define
class _Teed:
    """A task of the client's own reporter (a per-file display) next to the share."""

    share: FileBytes
    own: ProgressTask

    def advance(self, n: int, **kwargs: object) -> None:
        self.share.advance(n)
        self.own.advance(n, **kwargs)


@attrs.define(eq=False)
class FileBytes:
    """One file's bytes on ``bar``: at most ``size`` in all, however often they are sent.

    It is a progress task (``advance``) and a progress reporter (``task``) whose tasks also
    feed ``also`` (the client's own reporter, which may show large files one by one).
    ``lock`` (the engine's) is shared by every share of one bar: advances come from
    concurrent uploads.
    """

    bar: ProgressTask
    size: int
    lock: threading.Lock | threading.RLock
    also: ProgressReporter = attrs.Factory(NullProgress)
    sent: int = 0
    """The bytes reported on ``bar`` so far."""

    def advance(self, n: int, **kwargs: object) -> None:
        """``n`` more bytes acknowledged; those beyond the file's size are not reported."""
        with self.lock:
            step = max(0, min(n, self.size - self.sent))
            self.sent += step
            if step:
                self.bar.advance(step)

    def complete(self) -> None:
        """The file is stored: report whatever of it no request reported."""
        self.advance(self.size - self.sent)

    @contextlib.contextmanager
    def task(
        self, total: int | None = None, desc: str = "", unit: str = "it", **kwargs: object
    ) -> Iterator[ProgressTask]:
        """A task of ``also`` that advances this share too (a client upload's reporter)."""
        with self.also.task(total=total, desc=desc, unit=unit, **kwargs) as own:
            yield _Teed(self, own)
