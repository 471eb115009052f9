"""The decisions and bookkeeping of one ingestion (no network I/O).

:class:`Engine` holds the journal and every decision (what to hash, what is done, what to
upload, how to batch and reconcile units, which tasks are missing); the flows in
``_flows.py`` ask it, and the client's driver performs the I/O they yield.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TypeAlias

import attrs
from synapse_client.models import (
    DataUnit,
    DataUnitCreate,
    DataUnitCreateFiles,
    DataUnitCreateMeta,
    DataUnitFileRef,
)
from synapse_client.types import UNSET

from .._flow import batched
from ..dataset.specs import Spec
from ..errors import ClientError, DataFileUnconfirmedError, ProtocolError
from ..policy import UNIT_BATCH_RETRY, RetryPolicy
from ..progress import NullProgress, ProgressReporter, ProgressTask
from ..sources import FileRef, SourceError, SourcePath, file_key, file_size
from ..upload._files import EmptyFileError, file_md5
from ..upload._presigned import FileChangedError
from ._identity import CONTENT_ID_KEY, content_id, unit_checksums, unit_content_id
from ._sent import FileBytes
from ._totals import ByteTotal, listed_bytes
from .journal import Journal, default_journal_path
from .results import FailureReason, GroupInput, IngestFailure, IngestResult, as_group

__all__ = [
    "DEFAULT_JOURNAL",
    "TASK_BATCH",
    "UPLOAD_ERRORS",
    "DefaultJournal",
    "Engine",
    "JournalArg",
    "Prepared",
    "open_journal",
    "progress_tasks",
    "safe_md5",
    "windows",
]

logger = logging.getLogger("synapse_ext")

_MAX_PATH = 1024  # DataUnitFileRef.path maxLength
TASK_BATCH = 1000
UPLOAD_ERRORS: tuple[type[Exception], ...] = (
    ClientError,
    FileChangedError,
    EmptyFileError,
    SourceError,
    OSError,
)
"""What one file's upload can fail with, as a per-file failure: the server's answer
(``ClientError``), the file changed or emptied since it was hashed, its source, or reading it
(``OSError``). Anything else (a plain ``ValueError``, ``TypeError``, ...) is a bug and
propagates."""


class DefaultJournal(Enum):
    """The type of :data:`DEFAULT_JOURNAL`."""

    DEFAULT = "default"

    def __repr__(self) -> str:
        return "DEFAULT_JOURNAL"


DEFAULT_JOURNAL = DefaultJournal.DEFAULT
"""Use the journal at :func:`~synapse_ext.ingest.default_journal_path`."""

JournalArg: TypeAlias = (
    Journal | str | os.PathLike[str] | Literal[DefaultJournal.DEFAULT, False] | None
)
"""Where an ingestion keeps its state: :data:`DEFAULT_JOURNAL`, a path, a :class:`Journal`,
or ``None``/``False`` (memory only: no resume across runs)."""


def open_journal(journal: JournalArg, stack: ExitStack) -> Journal:
    """The journal ``journal`` stands for (opened on ``stack`` unless given as a Journal)."""
    if isinstance(journal, Journal):
        return journal
    if journal is None or journal is False:
        return stack.enter_context(Journal(None))
    path = default_journal_path() if journal is DEFAULT_JOURNAL else Path(journal)
    return stack.enter_context(Journal(path))


@attrs.define
class Prepared:
    """A group whose files are hashed: ready to be checked, uploaded and bound."""

    group: GroupInput
    checksums: dict[str, str]
    sizes: dict[str, int]
    cid: str


@attrs.define
class Engine:
    """Decisions and bookkeeping of one ingestion; no network I/O.

    Thread-safe where the batch flows of a window meet (they run at once, in threads with
    the blocking client): every count of ``result``, the progress tasks and the bytes total
    are updated under one lock, and the journal has its own.
    """

    collection_id: int
    scope: str
    journal: Journal
    specs: dict[str, Spec]
    result: IngestResult
    groups_task: ProgressTask
    bytes_task: ProgressTask
    batch_size: int
    policy: RetryPolicy = UNIT_BATCH_RETRY
    project_id: int | None = None
    trust_etag: bool = False
    byte_total: ByteTotal | None = None
    """Keeps the bytes bar's total exact (None: the bar has no total)."""
    claimed: set[str] = attrs.Factory(set)
    """Checksums taken from source ETags, not yet read: every upload of one verifies it."""
    sending: dict[str, FileBytes] = attrs.Factory(dict)
    """The bytes bar's share of each upload under way, by checksum (see :meth:`file_bytes`)."""
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False, repr=False)

    # -- groups --------------------------------------------------------------------------
    def fail(self, key: str, reason: FailureReason, message: str) -> None:
        logger.warning("group %r failed (%s): %s", key, reason, message)
        with self._lock:
            self.result.failures.append(IngestFailure(key, reason, message))
            self.groups_task.advance(1)

    def admit(self, items: Sequence[tuple[int, Any]]) -> list[GroupInput]:
        """Normalize and validate a window of raw groups; report the invalid ones."""
        if self.byte_total is not None:
            self.byte_total.begin_window()
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

    def hash_plan(self, groups: Sequence[GroupInput]) -> tuple[dict[str, Any], list[FileRef]]:
        """Stat every file: ``(facts per path, files still to hash)``; errors are facts too.

        Source files are not asked again: their listing gave size and version (ETag or
        mtime), the key of their cached MD5; with ``trust_etag`` an MD5-shaped ETag is taken
        as the checksum (a claim, checked by the upload that reads the file)."""
        facts: dict[str, Any] = {}
        todo: list[FileRef] = []
        for group in groups:
            for path in group.files.values():
                p = file_key(path)
                if p in facts:
                    continue
                if isinstance(path, SourcePath):
                    facts[p] = self._source_fact(path)
                    if not isinstance(facts[p], OSError) and facts[p][2] is None and facts[p][0]:
                        todo.append(path)
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
                    todo.append(path)
        return facts, todo

    def _source_fact(self, src: SourcePath) -> tuple[int, str, str | None] | OSError:
        try:
            size = file_size(src)
        except OSError as exc:
            return exc
        etag = src.md5_etag
        if self.trust_etag and etag is not None:
            self.claimed.add(etag)
            return size, src.version, etag
        cached = self.journal.cached_source_md5(src.url, size, src.version) if src.version else None
        return size, src.version, cached

    def prepare(
        self, groups: Sequence[GroupInput], facts: dict[str, Any], hashed: dict[str, Any]
    ) -> list[Prepared]:
        """Attach checksums; fail groups with unreadable or empty files; cache new hashes."""
        fresh = [
            (p, facts[p][0], facts[p][1], md5) for p, md5 in hashed.items() if isinstance(md5, str)
        ]
        local = [row for row in fresh if isinstance(row[2], int)]
        remote = [row for row in fresh if isinstance(row[2], str) and row[2]]
        if local:
            self.journal.store_md5s(local)
        if remote:
            self.journal.store_source_md5s(remote)
        out: list[Prepared] = []
        for group in groups:
            checksums: dict[str, str] = {}
            sizes: dict[str, int] = {}
            problem: tuple[FailureReason, str] | None = None
            for spec, path in group.files.items():
                p = file_key(path)
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
            out.append(Prepared(group, checksums, sizes, cid))
        return out

    def split_done(self, prepared: Sequence[Prepared]) -> tuple[list[int], list[Prepared]]:
        """``(unit ids already done, groups still to create)``; duplicates in a window merge."""
        done = self.journal.done_units(self.scope, [p.cid for p in prepared])
        present: list[int] = []
        todo: list[Prepared] = []
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
        self._count_known_files(prepared, todo)
        return present, todo

    def _count_known_files(self, prepared: Sequence[Prepared], todo: Sequence[Prepared]) -> None:
        """Files of the groups known done count as already present (the server holds them,
        as a lookup would say), but not those the window's other groups still check."""
        checked = set(self.needed_checksums(todo))
        pending = {id(item) for item in todo}
        held = {c for item in prepared if id(item) not in pending for c in item.checksums.values()}
        self.result.files_already_present += len(held - checked)

    @staticmethod
    def needed_checksums(todo: Sequence[Prepared]) -> list[str]:
        return list(dict.fromkeys(c for item in todo for c in item.checksums.values()))

    def plan_uploads(
        self, todo: Sequence[Prepared], existing: set[str]
    ) -> dict[str, tuple[FileRef, int]]:
        """Checksum → (one file, size) for each file the server lacks."""
        needed = self.needed_checksums(todo)
        self.result.files_already_present += sum(1 for c in needed if c in existing)
        plan: dict[str, tuple[FileRef, int]] = {}
        for item in todo:
            for spec, checksum in item.checksums.items():
                if checksum not in existing and checksum not in plan:
                    plan[checksum] = (item.group.files[spec], item.sizes[spec])
        if self.byte_total is not None:
            self.byte_total.planned(sum(size for _, size in plan.values()))
        return plan

    @staticmethod
    def small_local(todo: Sequence[Prepared], threshold: int) -> set[str]:
        """Checksums whose file to upload (the first one, as :meth:`plan_uploads` picks) is a
        local file of at most ``threshold`` bytes."""
        first: dict[str, tuple[FileRef, int]] = {}
        for item in todo:
            for spec, checksum in item.checksums.items():
                first.setdefault(checksum, (item.group.files[spec], item.sizes[spec]))
        return {
            c
            for c, (path, size) in first.items()
            if size <= threshold and not isinstance(path, SourcePath)
        }

    def upload_options(self, size: int, threshold: int, chunk_size: int) -> dict[str, Any]:
        """Keyword arguments of ``client.upload_file`` for a ``size``-byte file.

        Chunked uploads get the journal's resume store: an upload interrupted in an earlier
        run continues from the server's offset instead of byte 0.
        """
        if size <= threshold:
            return {"chunked": False, "chunk_size": chunk_size}
        store = self.journal.resume_store(self.scope)
        return {"chunked": True, "chunk_size": chunk_size, "resume_store": store}

    def file_bytes(
        self, checksum: str, size: int, also: ProgressReporter | None = None
    ) -> FileBytes:
        """The bytes bar's share of the upload of ``checksum``: its requests advance it as
        they are acknowledged (the same share when the file is sent again, so no byte counts
        twice); ``also``, the client's reporter, gets the upload's own task too."""
        with self._lock:
            share = self.sending.get(checksum)
            if share is None:
                share = FileBytes(self.bytes_task, size, self._lock, also or NullProgress())
                self.sending[checksum] = share
            return share

    def _settled(self, checksum: str, size: int, *, stored: bool) -> int:
        """The upload of ``checksum`` is over; a stored file's unreported bytes go on the bar.
        Returns the bytes reported on the bar (they stay there: they were sent)."""
        with self._lock:
            share = self.sending.pop(checksum, None)
            if share is None:  # nothing reported (a dry run)
                share = FileBytes(self.bytes_task, size, self._lock)
            if stored:
                share.complete()
            return share.sent

    def uploaded(self, checksum: str, size: int) -> None:
        """Count one file stored (``size`` bytes sent)."""
        with self._lock:
            self.result.files_uploaded += 1
            self.result.bytes_sent += size
            self._settled(checksum, size, stored=True)

    def found_present(self, checksum: str, size: int) -> None:
        """An upload the server answered with a data file it already had (v2 finalize
        ``created=false``): the file counts as already present and as resent; its bytes were
        sent (``bytes_sent``, ``bytes_resent``)."""
        with self._lock:
            self.result.files_already_present += 1
            self.result.files_resent += 1
            self.result.bytes_resent += size
            self.result.bytes_sent += size
            self._settled(checksum, size, stored=True)  # sent: on the bar, once

    def upload_outcome(
        self,
        checksum: str,
        path: FileRef,
        size: int,
        error: Exception | None,
        *,
        reused: bool = False,
    ) -> str | None:
        """Record one upload's outcome; the error message when the file is not on the server.

        ``reused``: the server answered with a data file it already held (counted as already
        present and resent, see :meth:`found_present`).

        ``DataFileUnconfirmedError`` counts as uploaded: the server holds the content, only
        its data-file id is unknown (and bindings use checksums).
        """
        message: str
        if error is None and reused:
            self.found_present(checksum, size)
            return None
        if error is None or isinstance(error, DataFileUnconfirmedError):
            self.uploaded(checksum, size)
            return None
        if checksum in self.claimed and isinstance(error, OSError):
            message = (
                f"{path}: {error} (its ETag was trusted as its MD5 and is not: an encrypted or "
                "copied object? run without trust_etag / --trust-etag)"
            )
        else:
            message = f"{path}: {error}"
        sent = self._settled(checksum, size, stored=False)  # on the bar: they travelled
        if self.byte_total is not None:
            with self._lock:
                self.byte_total.dropped(size - sent)  # planned, but never sent
        return message

    def bindable(self, todo: Sequence[Prepared], failed_files: dict[str, str]) -> list[Prepared]:
        """Groups whose every file is on the server; the others fail and are not bound."""
        out: list[Prepared] = []
        for item in todo:
            bad = [c for c in item.checksums.values() if c in failed_files]
            if bad:
                self.fail(item.group.key, FailureReason.UPLOAD_FAILED, failed_files[bad[0]])
            else:
                out.append(item)
        return out

    # -- unit batches --------------------------------------------------------------------
    def unit_create(self, item: Prepared) -> DataUnitCreate:
        files = DataUnitCreateFiles()
        for spec, checksum in item.checksums.items():
            path = str(item.group.files[spec])
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

    def begin_batch(self, batch: Sequence[Prepared]) -> str:
        batch_id = uuid.uuid4().hex
        self.journal.begin_batch(self.scope, batch_id, [(b.cid, b.group.key) for b in batch])
        return batch_id

    def batch_created(
        self, batch_id: str, batch: Sequence[Prepared], units: Sequence[DataUnit]
    ) -> tuple[list[int], list[Prepared]]:
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
        self.units_made(len(pairs))
        return [uid for _, uid in pairs], unmatched

    def batch_bound(
        self,
        batch_id: str,
        batch: Sequence[Prepared],
        results: Sequence[tuple[int, bool]],
        *,
        resent_after_loss: bool = False,
    ) -> list[int]:
        """v2 bulk-create answered ``(unit id, created)`` per group, in request order: every
        group is done. A reused unit is one an earlier or concurrent run made, unless the
        batch was resent after its answer was lost: then the lost send made it (as v1's
        reconciliation counts it), since nothing tells the two apart."""
        if len(results) != len(batch):
            raise ProtocolError(None, f"bulk-create answered {len(results)} of {len(batch)} units")
        pairs = [(item.cid, unit_id) for item, (unit_id, _) in zip(batch, results, strict=True)]
        self.journal.finish_batch(self.scope, batch_id, pairs)
        created = sum(1 for _, was_created in results if was_created or resent_after_loss)
        self.units_made(created, present=len(results) - created)
        return [unit_id for _, unit_id in pairs]

    def units_made(self, created: int, *, present: int = 0) -> None:
        """Count ``created`` units made and ``present`` found already there (groups done)."""
        with self._lock:
            self.result.units_created += created
            self.result.units_already_present += present
            self.groups_task.advance(created + present)

    def record_listing(self, units: Iterable[DataUnit]) -> None:
        chunk: list[tuple[str, int]] = []
        for unit in units:
            chunk.append((unit_content_id(unit), int(unit.id)))
            if len(chunk) >= 1000:
                self.journal.record_remote_units(self.scope, chunk)
                chunk = []
        self.journal.record_remote_units(self.scope, chunk)

    def reconciled(
        self, batch_id: str, batch: Sequence[Prepared]
    ) -> tuple[list[int], list[Prepared]]:
        """After a listing begun once batch ``batch_id`` was answered: its groups found (now
        created) and those still missing. Only that batch is closed: another batch in flight
        meanwhile (a concurrent batch flow's, its POST maybe unanswered) may be applied after
        the listing read its page, so it keeps its "maybe applied" mark."""
        done = self.journal.done_units(self.scope, [b.cid for b in batch])
        self.journal.finish_batch(self.scope, batch_id, [])  # found ones are already done
        self.journal.mark_scope_listed(self.scope)
        found = [done[b.cid] for b in batch if b.cid in done]
        self.units_made(len(found))
        return found, [b for b in batch if b.cid not in done]

    def batch_failed(
        self, batch: Sequence[Prepared], reason: FailureReason, error: ClientError | str
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
        self.tasks_counted(n_tasks)

    def tasks_counted(self, n_tasks: int) -> None:
        """Count ``n_tasks`` tasks created (or, in a dry run, that a run would create)."""
        with self._lock:
            self.result.tasks_created += n_tasks

    def tasks_failed(self, unit_ids: Sequence[int], error: ClientError) -> None:
        with self._lock:
            for uid in unit_ids:
                self.result.failures.append(
                    IngestFailure(f"unit {uid}", FailureReason.TASK_FAILED, str(error))
                )


def windows(data: Iterable[Any], size: int) -> Iterator[list[tuple[int, Any]]]:
    """Numbered groups in windows of ``size``."""
    return batched(enumerate(data), size)


def progress_tasks(
    stack: ExitStack, reporter: ProgressReporter, data: object, window: int
) -> tuple[ProgressTask, ProgressTask, ByteTotal | None]:
    """The two progress tasks of an ingestion (groups done, file bytes sent), and the keeper of
    the bytes total: when ``data`` is a sequence and someone watches, its files' sizes are
    summed first (a stat per local file) so both bars have totals, rates and ETAs at once."""
    total = len(data) if hasattr(data, "__len__") else None
    groups = stack.enter_context(reporter.task(total=total, desc="data units", unit="group"))
    sent = stack.enter_context(reporter.task(total=None, desc="file content", unit="B"))
    watched = not isinstance(reporter, NullProgress) and callable(getattr(sent, "set_total", None))
    if not watched or not isinstance(data, Sequence):
        return groups, sent, None
    return groups, sent, ByteTotal.start(sent, listed_bytes(data, window))


def safe_md5(path: FileRef) -> str | OSError:
    """The file's MD5, or the ``OSError`` reading it failed with."""
    try:
        return file_md5(path)
    except OSError as exc:
        return exc
    except Exception as exc:  # a source backend's own error (e.g. botocore's, not an OSError)
        if not isinstance(path, SourcePath):
            raise
        return OSError(f"cannot read {path.url}: {type(exc).__name__}: {exc}")
