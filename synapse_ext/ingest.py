"""``upload_data_collection``: organized groups → data files + data units (+ tasks), crash-safe.

Per window of groups: hash files (MD5, streamed, thread pool; cached in the journal), skip
groups the journal knows as done, ask ``verify_checksums`` which files the server holds,
upload only the others (bounded concurrency, chunked above the threshold), then create units
in batches, each recorded as in flight in the journal *before* it is sent. A batch whose
outcome is unknown (lost response, 5xx, a crash) is reconciled by listing the collection's
units and matching them by content id; only the groups really missing are sent again.
See ``docs/decisions.md`` (ingestion) for the crash windows and how each is closed.

The engine (:class:`_Engine`) holds every decision and the journal; the sync and async drivers
only perform I/O in the order it asks.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import attrs
from synapse_client.models import (
    DataUnit,
    DataUnitCreate,
    DataUnitCreateFiles,
    DataUnitCreateMeta,
    DataUnitFileRef,
)
from synapse_client.types import UNSET

from .batching import BatchAction, UnitBatchPolicy, batched, classify_unit_batch_error
from .errors import ClientConnectionError, ClientError, DataFileUnconfirmedError
from .identity import CONTENT_ID_KEY, content_id, unit_checksums, unit_content_id
from .ingest_types import FailureReason, GroupInput, IngestFailure, IngestResult, as_group
from .journal import Journal, default_journal_path, journal_scope
from .progress import ProgressReporter, ProgressTask, as_reporter
from .specs import Spec, specs_of

__all__ = [
    "DEFAULT_JOURNAL",
    "forget_ingestion",
    "md5_file",
    "upload_data_collection",
]

logger = logging.getLogger("synapse_ext")

MiB = 1024 * 1024
_MAX_PATH = 1024  # DataUnitFileRef.path maxLength
_TASK_BATCH = 1000
# ClientError from the API; OSError/ValueError (EmptyFileError) if the file changed on disk.
_UPLOAD_ERRORS = (ClientError, OSError, ValueError)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT_JOURNAL"


DEFAULT_JOURNAL: Any = _Default()
"""Use the journal at :func:`~synapse_ext.journal.default_journal_path`."""

JournalArg = Any  # DEFAULT_JOURNAL | str | os.PathLike | Journal | None | False


def md5_file(path: str | os.PathLike[str], block: int = MiB) -> str:
    """Lower-case hex MD5 of a file, read in ``block``-sized pieces."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def _open_journal(journal: JournalArg, stack: ExitStack) -> Journal:
    if isinstance(journal, Journal):
        return journal
    if journal is None or journal is False:
        return stack.enter_context(Journal(None))
    path = default_journal_path() if journal is DEFAULT_JOURNAL else Path(journal)
    return stack.enter_context(Journal(path))


@attrs.define
class _Prepared:
    """A group whose files are hashed: ready to be checked, uploaded and bound."""

    group: GroupInput
    checksums: dict[str, str]
    sizes: dict[str, int]
    cid: str


@attrs.define
class _Engine:
    """Decisions and bookkeeping of one ingestion; no network I/O."""

    collection_id: int
    scope: str
    journal: Journal
    specs: dict[str, Spec]
    result: IngestResult
    groups_task: ProgressTask
    bytes_task: ProgressTask
    batch_size: int
    policy: UnitBatchPolicy = attrs.Factory(UnitBatchPolicy)
    project_id: int | None = None

    # -- groups --------------------------------------------------------------------------
    def fail(self, key: str, reason: FailureReason, message: str) -> None:
        logger.warning("group %r failed (%s): %s", key, reason, message)
        self.result.failures.append(IngestFailure(key, reason, message))
        self.groups_task.advance(1)

    def admit(self, items: Sequence[tuple[int, Any]]) -> list[GroupInput]:
        """Normalize and validate a window of raw groups; report the invalid ones."""
        out: list[GroupInput] = []
        for index, item in items:
            self.result.groups += 1
            try:
                group = as_group(item, index)
            except (TypeError, ValueError) as exc:
                self.fail(f"#{index}", FailureReason.INVALID_GROUP, str(exc))
                continue
            unknown = sorted(set(group.files) - set(self.specs))
            missing = [n for n, s in self.specs.items() if s.is_required and n not in group.files]
            if unknown or missing:
                parts = [f"unknown spec(s): {', '.join(unknown)}"] if unknown else []
                parts += [f"missing required spec(s): {', '.join(missing)}"] if missing else []
                self.fail(group.key, FailureReason.INVALID_GROUP, "; ".join(parts))
                continue
            out.append(group)
        return out

    def hash_plan(self, groups: Sequence[GroupInput]) -> tuple[dict[str, Any], list[str]]:
        """Stat every file: ``(facts per path, paths still to hash)``; errors are facts too."""
        facts: dict[str, Any] = {}
        todo: list[str] = []
        for group in groups:
            for path in group.files.values():
                p = os.fspath(path)
                if p in facts:
                    continue
                try:
                    st = os.stat(p)  # noqa: PTH116 - plain strings all the way to the journal
                except OSError as exc:
                    facts[p] = exc
                    continue
                if not stat.S_ISREG(st.st_mode):
                    # A FIFO would block the hash forever; a folder or device is no file either.
                    facts[p] = OSError(errno.EINVAL, "not a regular file", p)
                    continue
                cached = self.journal.cached_md5(p, st.st_size, st.st_mtime_ns)
                facts[p] = (st.st_size, st.st_mtime_ns, cached)
                if cached is None and st.st_size > 0:
                    todo.append(p)
        return facts, todo

    def prepare(
        self, groups: Sequence[GroupInput], facts: dict[str, Any], hashed: dict[str, Any]
    ) -> list[_Prepared]:
        """Attach checksums; fail groups with unreadable or empty files; cache new hashes."""
        fresh = [
            (p, facts[p][0], facts[p][1], md5) for p, md5 in hashed.items() if isinstance(md5, str)
        ]
        if fresh:
            self.journal.store_md5s(fresh)
        out: list[_Prepared] = []
        for group in groups:
            checksums: dict[str, str] = {}
            sizes: dict[str, int] = {}
            problem: tuple[FailureReason, str] | None = None
            for spec, path in group.files.items():
                p = os.fspath(path)
                fact = facts[p]
                if isinstance(fact, OSError):
                    problem = (FailureReason.UNREADABLE, f"{path}: {fact.strerror or fact}")
                    break
                size, _, cached = fact
                if size == 0:
                    problem = (FailureReason.EMPTY_FILE, f"{path} is empty")
                    break
                md5 = cached or hashed.get(p)
                if not isinstance(md5, str):
                    problem = (FailureReason.UNREADABLE, f"{path}: {md5}")
                    break
                checksums[spec] = md5
                sizes[spec] = size
            if problem is not None:
                self.fail(group.key, *problem)
                continue
            cid = content_id(checksums, group.meta, group.groups)
            out.append(_Prepared(group, checksums, sizes, cid))
        return out

    def split_done(self, prepared: Sequence[_Prepared]) -> tuple[list[int], list[_Prepared]]:
        """``(unit ids already done, groups still to create)``; duplicates in a window merge."""
        done = self.journal.done_units(self.scope, [p.cid for p in prepared])
        present: list[int] = []
        todo: list[_Prepared] = []
        seen: set[str] = set()
        for item in prepared:
            if item.cid in done:
                self.result.units_already_present += 1
                present.append(done[item.cid])
                self.groups_task.advance(1)
            elif item.cid in seen:
                logger.info("group %r has the same content as an earlier one", item.group.key)
                self.result.units_already_present += 1
                self.groups_task.advance(1)
            else:
                seen.add(item.cid)
                todo.append(item)
        return present, todo

    @staticmethod
    def needed_checksums(todo: Sequence[_Prepared]) -> list[str]:
        return list(dict.fromkeys(c for item in todo for c in item.checksums.values()))

    def plan_uploads(
        self, todo: Sequence[_Prepared], existing: set[str]
    ) -> dict[str, tuple[Path, int]]:
        """Checksum → (one path, size) for each file the server lacks."""
        needed = self.needed_checksums(todo)
        self.result.files_already_present += sum(1 for c in needed if c in existing)
        plan: dict[str, tuple[Path, int]] = {}
        for item in todo:
            for spec, checksum in item.checksums.items():
                if checksum not in existing and checksum not in plan:
                    plan[checksum] = (item.group.files[spec], item.sizes[spec])
        return plan

    def uploaded(self, checksum: str, size: int) -> None:
        self.result.files_uploaded += 1
        self.result.bytes_sent += size
        self.bytes_task.advance(size)

    def bindable(self, todo: Sequence[_Prepared], failed_files: dict[str, str]) -> list[_Prepared]:
        """Groups whose every file is on the server; the others fail and are not bound."""
        out: list[_Prepared] = []
        for item in todo:
            bad = [c for c in item.checksums.values() if c in failed_files]
            if bad:
                self.fail(item.group.key, FailureReason.UPLOAD_FAILED, failed_files[bad[0]])
            else:
                out.append(item)
        return out

    # -- unit batches --------------------------------------------------------------------
    def unit_create(self, item: _Prepared) -> DataUnitCreate:
        files = DataUnitCreateFiles()
        for spec, checksum in item.checksums.items():
            path = os.fspath(item.group.files[spec])
            files[spec] = DataUnitFileRef(
                checksum=checksum, path=path if len(path) <= _MAX_PATH else UNSET
            )
        meta = DataUnitCreateMeta()
        meta.additional_properties = {**item.group.meta, CONTENT_ID_KEY: item.cid}
        groups = list(item.group.groups)
        return DataUnitCreate(
            data_collection=self.collection_id,
            files=files,
            meta=meta,
            groups=groups if groups else UNSET,
        )

    def begin_batch(self, batch: Sequence[_Prepared]) -> str:
        batch_id = uuid.uuid4().hex
        self.journal.begin_batch(self.scope, batch_id, [(b.cid, b.group.key) for b in batch])
        return batch_id

    def batch_created(
        self, batch_id: str, batch: Sequence[_Prepared], units: Sequence[DataUnit]
    ) -> tuple[list[int], list[_Prepared]]:
        """Match created units to groups by content id (and files); ``(ids, unmatched)``."""
        by_cid = {b.cid: b for b in batch}
        pairs: list[tuple[str, int]] = []
        for unit in units:
            item = by_cid.get(unit_content_id(unit))
            if item is not None and unit_checksums(unit) == item.checksums:
                pairs.append((item.cid, int(unit.id)))
        matched = {cid for cid, _ in pairs}
        unmatched = [b for b in batch if b.cid not in matched]
        if unmatched:
            # The answer does not account for every group: keep the batch in flight and
            # let the caller reconcile against the server's listing.
            self.journal.record_remote_units(self.scope, pairs)
        else:
            self.journal.finish_batch(self.scope, batch_id, pairs)
        self.result.units_created += len(pairs)
        self.groups_task.advance(len(pairs))
        return [uid for _, uid in pairs], unmatched

    def record_listing(self, units: Iterable[DataUnit]) -> None:
        chunk: list[tuple[str, int]] = []
        for unit in units:
            chunk.append((unit_content_id(unit), int(unit.id)))
            if len(chunk) >= 1000:
                self.journal.record_remote_units(self.scope, chunk)
                chunk = []
        self.journal.record_remote_units(self.scope, chunk)

    def reconciled(self, batch: Sequence[_Prepared]) -> tuple[list[int], list[_Prepared]]:
        """After a listing: the batch's groups found (now created) and those still missing."""
        done = self.journal.done_units(self.scope, [b.cid for b in batch])
        self.journal.close_inflight(self.scope)
        self.journal.mark_scope_listed(self.scope)
        found = [done[b.cid] for b in batch if b.cid in done]
        self.result.units_created += len(found)
        self.groups_task.advance(len(found))
        return found, [b for b in batch if b.cid not in done]

    def batch_failed(
        self, batch: Sequence[_Prepared], reason: FailureReason, error: ClientError | str
    ) -> None:
        for item in batch:
            self.fail(item.group.key, reason, str(error))

    # -- tasks ---------------------------------------------------------------------------
    def tasks_needed(self, unit_ids: Sequence[int]) -> list[int]:
        if self.project_id is None or not unit_ids:
            return []
        return self.journal.units_without_task(self.scope, self.project_id, unit_ids)

    def tasks_created(self, unit_ids: Sequence[int], n_tasks: int) -> None:
        assert self.project_id is not None
        self.journal.record_tasks(self.scope, self.project_id, unit_ids)
        self.result.tasks_created += n_tasks


def _windows(data: Iterable[Any], size: int) -> Iterator[list[tuple[int, Any]]]:
    return batched(enumerate(data), size)


def _progress_tasks(
    stack: ExitStack, reporter: ProgressReporter, data: Any
) -> tuple[ProgressTask, ProgressTask]:
    total = len(data) if hasattr(data, "__len__") else None
    groups = stack.enter_context(reporter.task(total=total, desc="data units", unit="group"))
    sent = stack.enter_context(reporter.task(total=None, desc="file content", unit="B"))
    return groups, sent


def _validate_args(batch_size: int, max_workers: int, chunk_size: int) -> None:
    if not 1 <= batch_size <= 1000:
        raise ValueError("batch_size must be between 1 and 1000")
    if max_workers < 1:
        raise ValueError("max_workers must be >= 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")


# ============================================================================================
# sync driver
# ============================================================================================


@attrs.define
class _SyncRun:
    client: Any
    engine: _Engine
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
        for path, md5 in zip(todo_paths, self.pool.map(_safe_md5, todo_paths), strict=True):
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

        def one(item: tuple[str, tuple[Path, int]]) -> tuple[str, int, Exception | None]:
            checksum, (path, size) = item
            try:
                self.client.upload_file(
                    path, chunked=size > self.chunked_threshold, chunk_size=self.chunk_size
                )
            except _UPLOAD_ERRORS as exc:
                return checksum, size, exc
            return checksum, size, None

        errors: dict[str, str] = {}
        for checksum, size, error in self.pool.map(one, plan.items()):
            if error is None or isinstance(error, DataFileUnconfirmedError):
                # Unconfirmed: the server holds the content; only its data-file id is unknown.
                e.uploaded(checksum, size)
            else:
                errors[checksum] = f"{plan[checksum][0]}: {error}"
        if errors:
            # A failed call may still have stored the file (e.g. a lost response): ask.
            try:
                stored = self.client.verify_checksums(list(errors))
            except ClientError:
                stored = set()
            for checksum in stored:
                del errors[checksum]
        return errors

    def send_batch(self, batch: list[_Prepared]) -> None:
        e = self.engine
        attempt = 0
        while batch:
            batch_id = e.begin_batch(batch)
            try:
                units = self.client.create_data_units([e.unit_create(b) for b in batch])
            except ClientError as exc:
                action = classify_unit_batch_error(exc)
                logger.warning("data-unit batch of %d failed (%s): %s", len(batch), action, exc)
                if action is BatchAction.SPLIT and len(batch) > 1:
                    e.journal.abandon_batch(batch_id)
                    half = len(batch) // 2
                    self.send_batch(batch[:half])
                    self.send_batch(batch[half:])
                    return
                if action in (BatchAction.SPLIT, BatchAction.FAIL):
                    e.journal.abandon_batch(batch_id)
                    e.batch_failed(batch, FailureReason.UNIT_REJECTED, exc)
                    return
                if action is BatchAction.RECONCILE:
                    if not self.reconcile():
                        e.batch_failed(batch, FailureReason.UNIT_UNKNOWN, exc)
                        return
                    found, batch = e.reconciled(batch)
                    self.tasks(found)
                else:
                    e.journal.abandon_batch(batch_id)
                attempt += 1
                if batch and attempt >= e.policy.max_attempts:
                    e.batch_failed(batch, FailureReason.UNIT_FAILED, exc)
                    return
                if batch:
                    self.sleep(e.policy.delay(attempt - 1, exc))
                continue
            ids, unmatched = e.batch_created(batch_id, batch, units)
            self.tasks(ids)
            if unmatched:
                if not self.reconcile():
                    e.batch_failed(unmatched, FailureReason.UNIT_UNKNOWN, "answer incomplete")
                    return
                found, batch = e.reconciled(unmatched)
                self.tasks(found)
                attempt += 1
                if batch and attempt >= e.policy.max_attempts:
                    e.batch_failed(batch, FailureReason.UNIT_FAILED, "answer incomplete")
                    return
            else:
                batch = []

    def tasks(self, unit_ids: Sequence[int]) -> None:
        e = self.engine
        for chunk in batched(e.tasks_needed(unit_ids), _TASK_BATCH):
            error: ClientError | None = None
            for attempt in range(e.policy.max_attempts):
                try:
                    created = self.client.create_tasks(e.project_id, chunk)
                except ClientError as exc:
                    error = exc
                    if not _task_retryable(exc):
                        break
                    self.sleep(e.policy.delay(attempt, exc))
                    continue
                e.tasks_created(chunk, len(created))
                error = None
                break
            if error is not None:
                for uid in chunk:
                    e.result.failures.append(
                        IngestFailure(f"unit {uid}", FailureReason.TASK_FAILED, str(error))
                    )


def _task_retryable(error: ClientError) -> bool:
    # Tasks are idempotent per (project, unit) on our server: resending is safe.
    if isinstance(error, ClientConnectionError):
        return True
    return error.status_code in (408, 425, 429) or (error.status_code or 0) >= 500


def _safe_md5(path: str) -> str | OSError:
    try:
        return md5_file(path)
    except OSError as exc:
        return exc


def _engine(
    client: Any,
    collection: Any,
    collection_id: int,
    journal: Journal,
    result: IngestResult,
    tasks: tuple[ProgressTask, ProgressTask],
    batch_size: int,
    project_id: int | None,
) -> _Engine:
    return _Engine(
        collection_id=collection_id,
        scope=journal_scope(str(client.base_url), collection_id),
        journal=journal,
        specs={s.name: s for s in specs_of(collection)},
        result=result,
        groups_task=tasks[0],
        bytes_task=tasks[1],
        batch_size=batch_size,
        project_id=project_id,
    )


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
    _validate_args(batch_size, max_workers, chunk_size)
    result = IngestResult()
    with ExitStack() as stack:
        jr = _open_journal(journal, stack)
        reporter = as_reporter(on_progress)
        collection = client.get_collection(collection_id, with_specifications=True)
        tasks = _progress_tasks(stack, reporter, data)
        engine = _engine(
            client, collection, collection_id, jr, result, tasks, batch_size, project_id
        )
        engine.policy = unit_retry or engine.policy
        pool = stack.enter_context(ThreadPoolExecutor(max_workers, thread_name_prefix="ingest"))
        run = _SyncRun(client, engine, pool, chunked_threshold, chunk_size, sleep)
        run.start()
        for items in _windows(data, max(window, batch_size)):
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
