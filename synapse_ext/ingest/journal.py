"""Crash-safe ingestion state in SQLite (WAL, committed before and after each remote effect).

Scope of the unit state: (base URL host, collection id). Per scope the journal holds

* ``units``: content id → ``inflight`` (in a batch that was or is about to be sent, with its
  batch id) or ``done`` (with the server's unit id);
* ``batches``: unit batches recorded *before* their POST and removed once resolved;
* ``tasks``: (project, unit id) pairs whose task exists;
* ``scopes``: scopes whose server units were listed once (so a lost journal is rebuilt).

* ``chunked_uploads``: (scope, path) → the upload id of an unfinished chunked upload of that
  file at (size, mtime_ns), recorded as soon as the server created it and removed once the
  data file exists; a later run resumes it (only while size and mtime are unchanged).

Plus a global MD5 cache keyed by (path, size, mtime_ns), so re-runs do not re-hash, and one for
files of remote sources keyed by (URL, size, version: the store's ETag, else its mtime).
The default file is ``<user cache dir>/synapse-dc/ingest-journal.sqlite3`` (honours
``XDG_CACHE_HOME``). A ``Journal(None)`` lives in memory: same logic, no resume across runs.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from .._closing import Closing
from ..upload.resume import FileKey

__all__ = ["Journal", "JournalResumeStore", "default_journal_path", "journal_scope"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hashes(
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, md5 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_hashes(
    url TEXT PRIMARY KEY, size INTEGER NOT NULL, version TEXT NOT NULL, md5 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scopes(scope TEXT PRIMARY KEY, listed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS units(
    scope TEXT NOT NULL, content_id TEXT NOT NULL, state TEXT NOT NULL,
    unit_id INTEGER, batch_id TEXT, group_key TEXT,
    PRIMARY KEY(scope, content_id));
CREATE INDEX IF NOT EXISTS units_batch ON units(batch_id);
CREATE TABLE IF NOT EXISTS batches(
    batch_id TEXT PRIMARY KEY, scope TEXT NOT NULL, size INTEGER NOT NULL,
    started_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tasks(
    scope TEXT NOT NULL, project INTEGER NOT NULL, unit_id INTEGER NOT NULL,
    PRIMARY KEY(scope, project, unit_id));
CREATE TABLE IF NOT EXISTS chunked_uploads(
    scope TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    upload_id TEXT NOT NULL, recorded_at REAL NOT NULL,
    PRIMARY KEY(scope, path));
"""
_SCOPED = ("units", "batches", "tasks", "scopes", "chunked_uploads")

_CHUNK = 500  # rows per IN (...) query, far below SQLite's parameter limit


def default_journal_path() -> Path:
    """``<user cache dir>/synapse-dc/ingest-journal.sqlite3``."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("synapse-dc")) / "ingest-journal.sqlite3"


def journal_scope(base_url: str, collection_id: int) -> str:
    """The unit-state scope of ``collection_id`` on the server at ``base_url``."""
    parts = urlsplit(base_url if "//" in base_url else f"//{base_url}")
    host = (parts.netloc or base_url).lower()
    return f"{host}#{int(collection_id)}"


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Journal(Closing):
    """The ingestion journal. Thread-safe: every method runs under the journal's lock (one
    transaction per write), since an ingestion's batch flows and upload workers call it from
    several threads at once."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        target = os.fspath(self.path) if self.path is not None else ":memory:"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            target, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, under the journal's lock (several threads write)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _tx(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        with self._write():
            self._db.executemany(sql, rows)

    # -- hash cache --------------------------------------------------------------------------

    def cached_md5(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The recorded MD5 of ``path`` if its size and mtime are unchanged."""
        with self._lock:
            row = self._db.execute(
                "SELECT md5 FROM hashes WHERE path=? AND size=? AND mtime_ns=?",
                (path, size, mtime_ns),
            ).fetchone()
        return str(row[0]) if row else None

    def store_md5s(self, rows: Iterable[tuple[str, int, int, str]]) -> None:
        """Record ``(path, size, mtime_ns, md5)`` rows."""
        self._tx("INSERT OR REPLACE INTO hashes(path, size, mtime_ns, md5) VALUES (?,?,?,?)", rows)

    def cached_source_md5(self, url: str, size: int, version: str) -> str | None:
        """The recorded MD5 of the source file ``url`` if its size and version are unchanged."""
        with self._lock:
            row = self._db.execute(
                "SELECT md5 FROM source_hashes WHERE url=? AND size=? AND version=?",
                (url, size, version),
            ).fetchone()
        return str(row[0]) if row else None

    def store_source_md5s(self, rows: Iterable[tuple[str, int, str, str]]) -> None:
        """Record ``(url, size, version, md5)`` rows of source files."""
        self._tx(
            "INSERT OR REPLACE INTO source_hashes(url, size, version, md5) VALUES (?,?,?,?)", rows
        )

    # -- scopes ------------------------------------------------------------------------------

    def scope_listed(self, scope: str) -> bool:
        """True once the server's units of ``scope`` were listed into the journal."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM scopes WHERE scope=?", (scope,)).fetchone()
        return row is not None

    def mark_scope_listed(self, scope: str) -> None:
        """Record that the server's units of ``scope`` are known to the journal."""
        self._tx(
            "INSERT OR REPLACE INTO scopes(scope, listed_at) VALUES (?,?)", [(scope, time.time())]
        )

    # -- units -------------------------------------------------------------------------------

    def done_units(self, scope: str, content_ids: Sequence[str]) -> dict[str, int]:
        """Content id → unit id for those of ``content_ids`` that are done."""
        out: dict[str, int] = {}
        for chunk in _chunks(content_ids):
            marks = ",".join("?" * len(chunk))
            with self._lock:
                cur = self._db.execute(
                    f"SELECT content_id, unit_id FROM units WHERE scope=? AND state='done' "
                    f"AND content_id IN ({marks})",
                    (scope, *chunk),
                )
                out.update((str(c), int(u)) for c, u in cur)
        return out

    def begin_batch(self, scope: str, batch_id: str, items: Sequence[tuple[str, str]]) -> None:
        """Record a batch of ``(content_id, group_key)`` as in flight; call before sending."""
        with self._write():
            self._db.execute(
                "INSERT INTO batches(batch_id, scope, size, started_at) VALUES (?,?,?,?)",
                (batch_id, scope, len(items), time.time()),
            )
            self._db.executemany(
                "INSERT INTO units(scope, content_id, state, batch_id, group_key) "
                "VALUES (?,?,'inflight',?,?) ON CONFLICT(scope, content_id) DO UPDATE SET "
                "state='inflight', batch_id=excluded.batch_id, group_key=excluded.group_key "
                "WHERE units.state != 'done'",
                [(scope, cid, batch_id, key) for cid, key in items],
            )

    def finish_batch(self, scope: str, batch_id: str, created: Sequence[tuple[str, int]]) -> None:
        """Mark ``(content_id, unit_id)`` done and close the batch; other members go back."""
        with self._write():
            self._mark_done(scope, created)
            self._db.execute("DELETE FROM units WHERE batch_id=? AND state='inflight'", (batch_id,))
            self._db.execute("DELETE FROM batches WHERE batch_id=?", (batch_id,))

    def abandon_batch(self, batch_id: str) -> None:
        """Close a batch the server certainly did not apply (e.g. rejected with a 4xx)."""
        self.finish_batch("", batch_id, [])

    def inflight_batches(self, scope: str) -> list[str]:
        """Ids of batches of ``scope`` whose outcome is unknown."""
        with self._lock:
            cur = self._db.execute(
                "SELECT batch_id FROM batches WHERE scope=? ORDER BY started_at", (scope,)
            )
            return [str(r[0]) for r in cur]

    def _mark_done(self, scope: str, pairs: Iterable[tuple[str, int]]) -> None:
        # The first unit found for a content id wins; a later duplicate never rebinds it.
        self._db.executemany(
            "INSERT INTO units(scope, content_id, state, unit_id) VALUES (?,?,'done',?) "
            "ON CONFLICT(scope, content_id) DO UPDATE SET state='done', "
            "unit_id=excluded.unit_id, batch_id=NULL WHERE units.state != 'done'",
            [(scope, cid, uid) for cid, uid in pairs],
        )

    def record_remote_units(self, scope: str, pairs: Iterable[tuple[str, int]]) -> None:
        """Record units found on the server as done (one transaction)."""
        with self._write():
            self._mark_done(scope, pairs)

    def close_inflight(self, scope: str) -> int:
        """After a full listing: in-flight units not found were not applied; drop them."""
        with self._write():
            n = self._db.execute(
                "DELETE FROM units WHERE scope=? AND state='inflight'", (scope,)
            ).rowcount
            self._db.execute("DELETE FROM batches WHERE scope=?", (scope,))
        return int(n)

    # -- tasks -------------------------------------------------------------------------------

    def units_without_task(self, scope: str, project: int, unit_ids: Sequence[int]) -> list[int]:
        """Those of ``unit_ids`` with no recorded task in ``project``, in order."""
        have: set[int] = set()
        ids = [str(u) for u in unit_ids]
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            with self._lock:
                cur = self._db.execute(
                    f"SELECT unit_id FROM tasks WHERE scope=? AND project=? AND unit_id IN "
                    f"({marks})",
                    (scope, project, *[int(u) for u in chunk]),
                )
                have.update(int(r[0]) for r in cur)
        return [u for u in unit_ids if u not in have]

    def record_tasks(self, scope: str, project: int, unit_ids: Iterable[int]) -> None:
        """Record that tasks exist for ``unit_ids`` in ``project``."""
        self._tx(
            "INSERT OR IGNORE INTO tasks(scope, project, unit_id) VALUES (?,?,?)",
            [(scope, project, int(u)) for u in unit_ids],
        )

    # -- chunked uploads to resume ------------------------------------------------------------

    def chunked_upload(self, scope: str, key: FileKey) -> str | None:
        """The upload id recorded for the file ``key`` (same size and mtime), if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT upload_id FROM chunked_uploads WHERE scope=? AND path=? AND size=? "
                "AND mtime_ns=?",
                (scope, key.path, key.size, key.mtime_ns),
            ).fetchone()
        return str(row[0]) if row else None

    def record_chunked_upload(self, scope: str, key: FileKey, upload_id: str) -> None:
        """Record the upload of ``key`` (replacing an entry of the same path); committed."""
        self._tx(
            "INSERT OR REPLACE INTO chunked_uploads(scope, path, size, mtime_ns, upload_id, "
            "recorded_at) VALUES (?,?,?,?,?,?)",
            [(scope, key.path, key.size, key.mtime_ns, upload_id, time.time())],
        )

    def drop_chunked_upload(self, scope: str, key: FileKey) -> None:
        """Forget the upload of ``key`` (its data file exists)."""
        self._tx(
            "DELETE FROM chunked_uploads WHERE scope=? AND path=? AND size=? AND mtime_ns=?",
            [(scope, key.path, key.size, key.mtime_ns)],
        )

    def resume_store(self, scope: str) -> JournalResumeStore:
        """A :class:`~synapse_ext.upload_resume.ResumeStore` over this journal's ``scope``."""
        return JournalResumeStore(self, scope)

    # -- starting over -----------------------------------------------------------------------

    def forget(self, scope: str) -> None:
        """Drop all unit, batch, task and upload state of ``scope`` (the next run re-lists)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for table in _SCOPED:
                self._db.execute(f"DELETE FROM {table} WHERE scope=?", (scope,))
            self._db.execute("COMMIT")

    def reset(self) -> None:
        """Drop everything, including the hash cache."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for table in (*_SCOPED, "hashes", "source_hashes"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("COMMIT")

    def stats(self, scope: str) -> dict[str, int]:
        """Counts of done and in-flight units, in-flight batches and tasks of ``scope``."""
        with self._lock:
            return self._stats(scope)

    def _stats(self, scope: str) -> dict[str, int]:
        q = self._db.execute
        return {
            "done": int(
                q("SELECT COUNT(*) FROM units WHERE scope=? AND state='done'", (scope,)).fetchone()[
                    0
                ]
            ),
            "inflight": int(
                q(
                    "SELECT COUNT(*) FROM units WHERE scope=? AND state='inflight'", (scope,)
                ).fetchone()[0]
            ),
            "batches": int(q("SELECT COUNT(*) FROM batches WHERE scope=?", (scope,)).fetchone()[0]),
            "tasks": int(q("SELECT COUNT(*) FROM tasks WHERE scope=?", (scope,)).fetchone()[0]),
        }


class JournalResumeStore:
    """The chunked uploads of one journal scope, as a ``ResumeStore`` (thread-safe)."""

    def __init__(self, journal: Journal, scope: str) -> None:
        self.journal = journal
        self.scope = scope

    def load(self, key: FileKey) -> str | None:
        """The upload id recorded for ``key``, if any."""
        return self.journal.chunked_upload(self.scope, key)

    def save(self, key: FileKey, upload_id: str) -> None:
        """Record ``upload_id`` for ``key`` (committed before it returns)."""
        self.journal.record_chunked_upload(self.scope, key, upload_id)

    def discard(self, key: FileKey) -> None:
        """Forget ``key``."""
        self.journal.drop_chunked_upload(self.scope, key)
