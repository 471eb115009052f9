"""``upload_data_collection``: organized groups → data files + data units (+ tasks), crash-safe.

Per window of groups: hash files (MD5, streamed, thread pool; cached in the journal), skip
groups the journal knows as done, ask ``verify_checksums`` which files the server holds,
upload only the others (bounded concurrency, chunked above the threshold), then create units
in batches, each recorded as in flight in the journal *before* it is sent. A batch whose
outcome is unknown (lost response, 5xx, a crash) is reconciled by listing the collection's
units and matching them by content id; only the groups really missing are sent again.
See ``docs/decisions.md`` (ingestion) for the crash windows and how each is closed.

The engine (``_ingest_engine.Engine``) holds every decision and the journal; this module and
``aingest.py`` are the drivers: they only perform I/O in the order it asks.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import attrs

from ._ingest_engine import (
    DEFAULT_JOURNAL,
    UPLOAD_ERRORS,
    Engine,
    JournalArg,
    MiB,
    Prepared,
    build_engine,
    md5_file,
    open_journal,
    progress_tasks,
    safe_md5,
    validate_args,
    windows,
)
from ._unit_flows import (
    CreateTasks,
    CreateUnits,
    Reconcile,
    UnitFlow,
    UnitIntent,
    task_flow,
    unit_batch_flow,
)
from .batching import UnitBatchPolicy, batched
from .errors import ClientError
from .ingest_types import FailureReason, IngestResult
from .journal import Journal, default_journal_path, journal_scope
from .progress import ProgressReporter, as_reporter

__all__ = [
    "DEFAULT_JOURNAL",
    "forget_ingestion",
    "md5_file",
    "upload_data_collection",
]

logger = logging.getLogger("synapse_ext")


@attrs.define
class _SyncRun:
    client: Any
    engine: Engine
    pool: ThreadPoolExecutor
    chunked_threshold: int
    chunk_size: int
    sleep: Callable[[float], None] = time.sleep

    def reconcile(self) -> bool:
        """List every unit of the collection into the journal; False if the server failed."""
        e = self.engine
        try:
            e.record_listing(
                self.client.iter_data_units(collection_id=e.collection_id, page_size=1000)
            )
        except ClientError as exc:
            logger.warning("could not list data units to reconcile: %s", exc)
            return False
        return True

    def start(self) -> None:
        e = self.engine
        if e.journal.inflight_batches(e.scope) or not e.journal.scope_listed(e.scope):
            e.record_listing(
                self.client.iter_data_units(collection_id=e.collection_id, page_size=1000)
            )
            e.journal.close_inflight(e.scope)
            e.journal.mark_scope_listed(e.scope)

    def window(self, items: Sequence[tuple[int, Any]]) -> None:
        e = self.engine
        groups = e.admit(items)
        facts, todo_paths = e.hash_plan(groups)
        hashed: dict[str, Any] = {}
        for path, md5 in zip(todo_paths, self.pool.map(safe_md5, todo_paths), strict=True):
            hashed[path] = md5
        prepared = e.prepare(groups, facts, hashed)
        present, todo = e.split_done(prepared)
        self.tasks(present)
        if not todo:
            return
        try:
            existing = self.client.verify_checksums(e.needed_checksums(todo))
        except ClientError as exc:
            e.batch_failed(todo, FailureReason.VERIFY_FAILED, exc)
            return
        failed = self.upload(e.plan_uploads(todo, existing))
        for batch in batched(e.bindable(todo, failed), e.batch_size):
            self.send_batch(batch)

    def upload(self, plan: dict[str, tuple[Path, int]]) -> dict[str, str]:
        """Upload the planned files; checksum → error message for those that failed."""
        e = self.engine

        def one(item: tuple[str, tuple[Path, int]]) -> tuple[str, Exception | None]:
            checksum, (path, size) = item
            try:
                options = e.upload_options(size, self.chunked_threshold, self.chunk_size)
                self.client.upload_file(path, **options)
            except UPLOAD_ERRORS as exc:
                return checksum, exc
            return checksum, None

        errors: dict[str, str] = {}
        for checksum, error in self.pool.map(one, plan.items()):
            path, size = plan[checksum]
            message = e.upload_outcome(checksum, path, size, error)
            if message is not None:
                errors[checksum] = message
        if errors:
            # A failed call may still have stored the file (e.g. a lost response): ask.
            try:
                stored = self.client.verify_checksums(list(errors))
            except ClientError:
                stored = set()
            for checksum in stored:
                del errors[checksum]
        return errors

    def send_batch(self, batch: list[Prepared]) -> None:
        self.drive(unit_batch_flow(self.engine, batch))

    def tasks(self, unit_ids: Sequence[int]) -> None:
        self.drive(task_flow(self.engine, unit_ids))

    def drive(self, flow: UnitFlow) -> None:
        """Perform a unit/task flow's intents with blocking I/O."""
        answer: Any = None
        try:
            while True:
                answer = self.perform(flow.send(answer))
        except StopIteration:
            return

    def perform(self, intent: UnitIntent) -> Any:
        e = self.engine
        try:
            if isinstance(intent, CreateUnits):
                return self.client.create_data_units(intent.units)
            if isinstance(intent, CreateTasks):
                return self.client.create_tasks(e.project_id, intent.unit_ids)
        except ClientError as exc:
            return exc
        if isinstance(intent, Reconcile):
            return self.reconcile()
        self.sleep(intent.seconds)
        return None


def upload_data_collection(
    client: Any,
    collection_id: int,
    data: Iterable[Any],
    *,
    project_id: int | None = None,
    batch_size: int = 200,
    max_workers: int = 8,
    on_progress: ProgressReporter | Any | None = None,
    journal: JournalArg = DEFAULT_JOURNAL,
    chunked_threshold: int = 50 * MiB,
    chunk_size: int = 50 * MiB,
    window: int = 1000,
    unit_retry: UnitBatchPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> IngestResult:
    """Upload organized groups to a collection as data units (and tasks when ``project_id``).

    ``client`` is a :class:`~synapse_ext.SynapseClient`. ``data`` yields ``OrganizedGroup`` or
    ``{'files': {spec: path}, 'meta': {...}, 'groups'?: [...]}``. Files the server holds are
    not sent again; re-running after a crash or a failure completes the job without duplicate
    units (``journal``: a path, a :class:`Journal`, or ``None``/``False`` for memory only).
    ``window`` groups are hashed and checked per round; ``unit_retry`` sets the attempts and
    jitter of unit batches (contract §7 by default); ``sleep`` is how it waits between them.
    """
    validate_args(batch_size, max_workers, chunk_size)
    result = IngestResult()
    with ExitStack() as stack:
        jr = open_journal(journal, stack)
        reporter = as_reporter(on_progress)
        collection = client.get_collection(collection_id, with_specifications=True)
        tasks = progress_tasks(stack, reporter, data)
        engine = build_engine(
            client, collection, collection_id, jr, result, tasks, batch_size, project_id
        )
        engine.policy = unit_retry or engine.policy
        pool = stack.enter_context(ThreadPoolExecutor(max_workers, thread_name_prefix="ingest"))
        run = _SyncRun(client, engine, pool, chunked_threshold, chunk_size, sleep)
        run.start()
        for items in windows(data, max(window, batch_size)):
            run.window(items)
    return result


def forget_ingestion(
    base_url: str, collection_id: int, *, journal: str | os.PathLike[str] | None = None
) -> None:
    """Start over: drop the journal's state for ``collection_id`` on ``base_url``.

    The next run lists the collection's units again, so it still creates no duplicates.
    """
    path = Path(journal) if journal is not None else default_journal_path()
    with Journal(path) as jr:
        jr.forget(journal_scope(base_url, collection_id))
