"""MD5 of a chunked upload's segments, computed in order off the request path.

A chunk PUT only stores its segment; hashing runs on a small worker pool (owned by the
backend, started with its first chunked upload and shut down by ``Backend.close``) while the
client sends the next chunk, and finalize waits for it. Order is kept per upload: every task
takes the oldest pending segment under the upload's lock.
"""

from __future__ import annotations

import hashlib
from collections import deque
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from threading import Lock

__all__ = ["SegmentHasher", "hashing_pool"]

_BLOCK = 1 << 20


def hashing_pool() -> ThreadPoolExecutor:
    """A new pool for :class:`SegmentHasher` (its owner shuts it down)."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="synapse-mock-md5")


class SegmentHasher:
    """Running MD5 over files added with :meth:`add`, in the order they were added."""

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._md5 = hashlib.md5()
        self._lock = Lock()
        self._pending: deque[Path] = deque()
        self._futures: list[Future[None]] = []

    def add(self, path: Path) -> None:
        """Hash ``path`` after every file added before it (returns at once)."""
        with self._lock:
            self._pending.append(path)
            self._futures = [f for f in self._futures if not f.done()]
            self._futures.append(self._pool.submit(self._hash_next))

    def _hash_next(self) -> None:
        with self._lock:
            path = self._pending.popleft()
            with path.open("rb") as fh:
                while block := fh.read(_BLOCK):
                    self._md5.update(block)

    def hexdigest(self) -> str:
        """The MD5 of everything added so far (waits for pending segments)."""
        with self._lock:
            futures = list(self._futures)
        for future in futures:
            future.result()
        with self._lock:
            return self._md5.hexdigest()
