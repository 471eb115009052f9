"""Resuming chunked uploads across runs: a file's identity and where its upload id is kept.

``upload_file(path, chunked=True, resume_store=store)`` looks the file up in ``store``; when an
upload id is found it continues that upload (the server's offset decides), otherwise it starts
a new one and saves its id as soon as the server created it, before more bytes are sent. The
entry is discarded once the data file exists. The key holds size and mtime, so a changed file
never resumes an upload of its former content.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol, runtime_checkable

import attrs
from synapse_client.models import ChunkedUpload

from ..sources import SourcePath
from ._chunked import ResumePoint

__all__ = ["FileKey", "MemoryResumeStore", "ResumeSession", "ResumeStore"]


@attrs.frozen
class FileKey:
    """A file's identity for resuming: absolute path, size and mtime (ns)."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | os.PathLike[str] | SourcePath) -> FileKey:
        """The key of ``path`` as it is on disk now (a source file: its URL, listed size and
        ETag or mtime, in place of the mtime)."""
        if isinstance(path, SourcePath):
            return cls(path.url, path.size or 0, path.stamp)
        st = os.stat(path)  # noqa: PTH116 - plain strings all the way to the journal
        return cls(os.path.abspath(os.fspath(path)), st.st_size, st.st_mtime_ns)  # noqa: PTH100


@runtime_checkable
class ResumeStore(Protocol):
    """Where the upload id of a file's unfinished chunked upload is kept."""

    def load(self, key: FileKey) -> str | None:
        """The upload id recorded for exactly this key (same size and mtime), if any."""

    def save(self, key: FileKey, upload_id: str) -> None:
        """Record ``upload_id`` for ``key`` (replacing any entry of the same path)."""

    def discard(self, key: FileKey) -> None:
        """Forget the entry of ``key`` (its data file exists)."""


class MemoryResumeStore:
    """A thread-safe in-memory :class:`ResumeStore` (resumes within one process only)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[FileKey, str]] = {}
        self._lock = threading.Lock()

    def load(self, key: FileKey) -> str | None:
        """The upload id recorded for ``key``, if any."""
        with self._lock:
            entry = self._entries.get(key.path)
        return entry[1] if entry is not None and entry[0] == key else None

    def save(self, key: FileKey, upload_id: str) -> None:
        """Record ``upload_id`` for ``key``."""
        with self._lock:
            self._entries[key.path] = (key, upload_id)

    def discard(self, key: FileKey) -> None:
        """Forget ``key``."""
        with self._lock:
            entry = self._entries.get(key.path)
            if entry is not None and entry[0] == key:
                del self._entries[key.path]


@attrs.frozen
class ResumeSession:
    """One file's entry in a :class:`ResumeStore` during one ``upload_file`` call."""

    store: ResumeStore
    key: FileKey
    point: ResumePoint | None

    @classmethod
    def open(cls, store: ResumeStore, path: str | os.PathLike[str] | SourcePath) -> ResumeSession:
        """The key of ``path`` and the upload to continue, if ``store`` knows one."""
        key = FileKey.of(path)
        upload_id = store.load(key)
        return cls(store, key, ResumePoint(upload_id) if upload_id else None)

    def created(self, upload: ChunkedUpload) -> None:
        """The server created ``upload``: record its id (before more is sent)."""
        self.store.save(self.key, str(upload.id))

    def discard(self) -> None:
        """The server holds the file (its data file exists or is unconfirmed): forget it."""
        self.store.discard(self.key)
