"""One shard: an ordinary ingestion of some groups, run on a worker from picklable settings."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import attrs

from ..dataset.organize import OrganizedGroup
from ..ingest._core import run_local_ingestion
from ..ingest.journal import default_journal_path, journal_scope
from ..ingest.results import IngestResult
from ..ingest.settings import IngestSettings
from .feed import ShardReporter, dask_emitter
from .settings import ClientSettings

__all__ = ["DEFAULT_SHARD_JOURNALS", "ShardTask", "run_shard", "shard_journal_path"]

DEFAULT_SHARD_JOURNALS = "default"
"""``ShardTask.journals``: each worker's own cache folder (``<cache>/shards/``)."""


def shard_journal_path(
    folder: str, base_url: str, collection_id: int, index: int, count: int
) -> Path:
    """The journal file of one shard: one SQLite file per (server, collection, shard)."""
    default = folder == DEFAULT_SHARD_JOURNALS
    root = default_journal_path().parent / "shards" if default else Path(folder)
    scope = journal_scope(base_url, collection_id)
    digest = hashlib.blake2b(scope.encode("utf-8"), digest_size=6).hexdigest()
    return root / f"{digest}-c{collection_id}-shard{index:04d}of{count:04d}.sqlite3"


@attrs.frozen(repr=False)
class ShardTask:
    """Everything one shard needs, picklable: client settings, groups (paths + meta), and the
    ingestion's settings."""

    run_id: str
    index: int
    count: int
    settings: ClientSettings
    collection_id: int
    groups: tuple[OrganizedGroup, ...]
    ingest_settings: IngestSettings
    """How the shard's ingestion runs (``api`` already resolved by the driver)."""
    journals: str | None = DEFAULT_SHARD_JOURNALS
    """A folder for the shard journals, :data:`DEFAULT_SHARD_JOURNALS`, or ``None`` (memory)."""
    progress_topic: str | None = None
    """Dask event topic for progress (``None``: no live progress)."""

    def __repr__(self) -> str:
        return (
            f"ShardTask(run={self.run_id}, shard={self.index + 1}/{self.count}, "
            f"groups={len(self.groups)}, base_url={self.settings.base_url!r})"
        )

    def __dask_tokenize__(self) -> tuple[str, str, int, int]:
        # Task keys come from this, never from the settings (which carry the token).
        return ("synapse-dc-shard", self.run_id, self.index, self.count)

    @property
    def name(self) -> str:
        """``shard i/n`` for messages."""
        return f"shard {self.index + 1}/{self.count}"


def run_shard(task: ShardTask) -> IngestResult:
    """Run one shard to its end on this worker (module-level, so executors can pickle it).

    A fresh attempt of the same shard (after a worker died) is the same ingestion again: it
    resumes from the shard's journal when it is on the same machine, and otherwise starts
    from the server's state (v2: idempotent bulk-create; v1: the collection is listed and
    units are matched by content id before anything is sent).
    """
    emit = dask_emitter(task.progress_topic) if task.progress_topic else None
    reporter = ShardReporter(task.index, uuid.uuid4().hex, emit)
    journal: Path | None = None
    if task.journals is not None:
        journal = shard_journal_path(
            task.journals, task.settings.base_url, task.collection_id, task.index, task.count
        )
        journal.parent.mkdir(parents=True, exist_ok=True)
    with task.settings.client() as client:
        result = run_local_ingestion(
            client,
            task.collection_id,
            list(task.groups),
            task.ingest_settings,
            on_progress=reporter,
            journal=journal,
            collection=None,
        )
    reporter.flush()
    return result
