"""The ingestion as pure flows: start-of-run listing, windows, uploads, unit batches, tasks.

Each function is a flow (see ``synapse_ext._flow``): it yields intents and the client's
driver, sync or async, performs them. Every rule of an ingestion therefore exists once:
how a window is hashed, checked, uploaded and bound; how a unit batch is retried, bisected
and reconciled (contract §7); which tasks are still missing. Unit batches and tasks are sent
through single calls (``Call``), so their retries are these flows' own: no request is
retried by two layers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

import attrs
from synapse_client.models import DataUnit

from .._flow import (
    AdaptiveLimit,
    Call,
    Flow,
    Pages,
    Parallel,
    Rejection,
    Sleep,
    batched,
    bisected,
    blocking,
    drain,
)
from .._wire import operations as ops
from ..client._api import ClientApi
from ..errors import ClientError
from ..policy import Decision, Uniform
from ..sources import FileRef, file_key
from ..upload._presigned import FileChangedError
from ._engine import TASK_BATCH, UPLOAD_ERRORS, Engine, Prepared, safe_md5
from .results import FailureReason

__all__ = ["IngestRun"]

logger = logging.getLogger("synapse_ext")

BATCHES_IN_FLIGHT = 3
"""Batch flows of a window that run at once (their uploads share the adaptive limit)."""


@attrs.frozen
class IngestRun:
    """One ingestion's flows over a client (its flows, not its blocking methods)."""

    client: ClientApi[Any, Any]
    engine: Engine
    max_workers: int
    chunked_threshold: int
    chunk_size: int
    uniform: Uniform
    concurrency: AdaptiveLimit | None = None
    """The adaptive limit of the uploads and lookups (None: ``max_workers``, fixed)."""

    @property
    def limit(self) -> int | AdaptiveLimit:
        """How many uploads (or lookups) run at once: adaptive, or fixed ``max_workers``."""
        return self.concurrency if self.concurrency is not None else self.max_workers

    # -- start and windows ---------------------------------------------------------------
    def start(self) -> Flow[None]:
        """List the collection once if the journal is new or a batch was left in flight."""
        e = self.engine
        if e.journal.inflight_batches(e.scope) or not e.journal.scope_listed(e.scope):
            logger.info(
                "listing the data units of collection %d (a new journal, or a batch was left "
                "in flight)",
                e.collection_id,
            )
            yield from self._list_units()
            e.journal.close_inflight(e.scope)
            e.journal.mark_scope_listed(e.scope)

    def _list_units(self) -> Flow[None]:
        pages = ClientApi.iter_units.flow(
            self.client, collection_id=self.engine.collection_id, page_size=1000
        )
        yield from drain(cast(Pages[DataUnit], pages), self.engine.record_listing)

    def window(self, items: Sequence[tuple[int, Any]]) -> Flow[None]:
        """Admit, hash, skip what is done, verify, upload, then bind one window of groups."""
        e = self.engine
        groups = e.admit(items)
        facts, todo_paths = e.hash_plan(groups)
        hashes = [blocking(safe_md5, path) for path in todo_paths]
        hashed = yield Parallel(hashes, self.max_workers)
        keys = [file_key(ref) for ref in todo_paths]
        prepared = e.prepare(groups, facts, dict(zip(keys, hashed, strict=True)))
        present, todo = e.split_done(prepared)
        logger.debug(
            "window of %d groups: %d files hashed, %d groups already done, %d to bind",
            len(items), len(todo_paths), len(present), len(todo),
        )  # fmt: skip
        yield from self.tasks(present)
        if not todo:
            return
        try:
            existing = yield from self._held(todo)
        except ClientError as exc:
            e.batch_failed(todo, FailureReason.VERIFY_FAILED, exc)
            return
        plan = e.plan_uploads(todo, existing)
        logger.debug("window: %d files to upload, %d held by the server", len(plan), len(existing))
        yield from self._upload_and_bind(todo, plan)

    def _upload_and_bind(
        self, todo: Sequence[Prepared], plan: dict[str, tuple[FileRef, int]]
    ) -> Flow[None]:
        """Upload and bind the window's groups as batch flows (``batch_size`` groups each),
        ``BATCHES_IN_FLIGHT`` at a time: each uploads its files (upload-urls, PUTs on the
        shared limit, finalize over v2) and binds its groups (units, then tasks), so one
        batch's requests before and after its uploads overlap the uploads of the others.

        A file is uploaded by the first batch that names it. A group naming a file an
        earlier batch uploads is not bound by its own batch (that upload's outcome may not be
        known yet): it is bound after every batch flow has ended, against the merged failures.
        The other groups name only files their batch uploads or the server holds.
        """
        flows: list[Flow[dict[str, str]]] = []
        deferred: list[Prepared] = []
        earlier: set[str] = set()  # checksums uploaded by the batches before this one
        for number, batch in enumerate(batched(todo, self.engine.batch_size), 1):
            own = {c: plan.pop(c) for b in batch for c in b.checksums.values() if c in plan}
            now: list[Prepared] = []
            later: list[Prepared] = []
            for b in batch:
                (later if earlier.intersection(b.checksums.values()) else now).append(b)
            logger.debug(
                "batch %d: %d groups, %d files to upload, %d groups bound after the window",
                number, len(batch), len(own), len(later),
            )  # fmt: skip
            flows.append(self._batch(now, own))
            deferred += later
            earlier.update(own)
        failed: dict[str, str] = {}
        for errors in (yield Parallel(flows, BATCHES_IN_FLIGHT)):
            failed.update(errors)
        for batch in batched(deferred, self.engine.batch_size):
            yield from self._bind(batch, failed)

    def _batch(
        self, bind: list[Prepared], own: dict[str, tuple[FileRef, int]]
    ) -> Flow[dict[str, str]]:
        """One batch flow: upload ``own``, then bind ``bind`` (whose files are all ``own`` or
        held); its failures are results (checksum → error; failed groups reported)."""
        failed = (yield from self.upload(own)) if own else {}
        yield from self._bind(bind, failed)
        return failed

    def _bind(self, batch: list[Prepared], failed: dict[str, str]) -> Flow[None]:
        """Create the units of ``batch`` whose files are all stored (``failed``: those not)."""
        bindable = self.engine.bindable(batch, failed) if batch else []
        if bindable:
            yield from self.unit_batch(bindable)

    def _held(self, todo: Sequence[Prepared]) -> Flow[set[str]]:
        """The checksums of ``todo``'s files the server holds (those are not uploaded)."""
        return self._verify(self.engine.needed_checksums(todo))

    def _verify(self, checksums: list[str]) -> Flow[set[str]]:
        return ClientApi.verify_checksums.flow(self.client, checksums)

    # -- uploads ---------------------------------------------------------------------------
    def _upload_one(self, checksum: str, path: FileRef, size: int) -> Flow[Exception | None]:
        e = self.engine
        try:
            options = e.upload_options(size, self.chunked_threshold, self.chunk_size)
            # Each chunk (or the direct upload) advances the bytes bar once acknowledged.
            share = e.file_bytes(checksum, size, also=self.client.progress)
            made = yield from ClientApi.upload_file.flow(
                self.client, path, on_progress=share, **options
            )
        except UPLOAD_ERRORS as exc:
            return exc
        if checksum in e.claimed and made.checksum != checksum:
            # A trusted ETag that is not the MD5: the unit must not name a checksum the
            # server has no file for.
            return FileChangedError(f"its MD5 is {made.checksum}, not {checksum}")
        return None

    def upload(self, plan: dict[str, tuple[FileRef, int]]) -> Flow[dict[str, str]]:
        """Upload the planned files in parallel; checksum → error message for those that failed."""
        e = self.engine
        uploads = [self._upload_one(c, path, size) for c, (path, size) in plan.items()]
        outcomes = yield Parallel(uploads, self.limit)
        errors: dict[str, str] = {}
        for (checksum, (path, size)), error in zip(plan.items(), outcomes, strict=True):
            message = e.upload_outcome(checksum, path, size, error)
            if message is not None:
                errors[checksum] = message
        if errors:
            # A failed call may still have stored the file (e.g. a lost response): ask.
            try:
                stored = yield from self._verify(list(errors))
            except ClientError:
                stored = set()
            for checksum in stored:
                del errors[checksum]
        return errors

    # -- unit batches and tasks ------------------------------------------------------------
    def _reconcile(self) -> Flow[bool]:
        """List every unit of the collection into the journal; False if the server failed."""
        try:
            yield from self._list_units()
        except ClientError as exc:
            logger.warning("could not list data units to reconcile: %s", exc)
            return False
        return True

    def tasks(self, unit_ids: Sequence[int]) -> Flow[None]:
        """Create the tasks the journal does not record yet, in batches, retrying what is safe."""
        e = self.engine
        if e.project_id is None:
            return
        for chunk in batched(e.tasks_needed(unit_ids), TASK_BATCH):
            error: ClientError | None = None
            for attempt in range(e.policy.max_attempts):
                answer = yield Call(ops.new_tasks(e.project_id, chunk))
                if not isinstance(answer, ClientError):
                    e.tasks_created(chunk, len(answer))
                    error = None
                    break
                error = answer
                if e.policy.decide(error) is not Decision.RETRY:  # tasks are idempotent
                    break
                if attempt + 1 >= e.policy.max_attempts:
                    break
                delay = e.policy.delay(error, attempt, self.uniform)
                logger.debug("tasks: retry %d after %s, sleeping %.2fs", attempt + 1, error, delay)
                yield Sleep(delay)
            if error is None:
                logger.debug("tasks: %d units sent", len(chunk))
            else:
                e.tasks_failed(chunk, error)

    def unit_batch(self, batch: list[Prepared]) -> Flow[None]:
        """Create one batch of units (journaled in flight first), then their tasks.

        Errors follow the policy's decision for an unsafe, splittable request (v1
        ``POST data_units/`` is not idempotent): split a rejected batch to isolate bad
        groups, reconcile one that may have been applied (send only groups really missing),
        retry one that was certainly not applied; after ``e.policy.max_attempts`` POSTs the
        groups left are reported.
        """
        yield from bisected(batch, self._send_units, self._units_rejected)

    def _units_rejected(self, batch: list[Prepared], error: ClientError) -> None:
        self.engine.batch_failed(batch, FailureReason.UNIT_REJECTED, error)

    def _send_units(self, batch: list[Prepared]) -> Flow[Rejection[Prepared, ClientError] | None]:
        """POST ``batch`` until its groups are bound or reported; the groups left if the
        server rejected them as a whole (400/422: bisected by the caller)."""
        e = self.engine
        attempt = 0
        while batch:
            batch_id = e.begin_batch(batch)
            answer = yield Call(ops.new_units([e.unit_create(b) for b in batch]))
            if isinstance(answer, ClientError):
                action = e.policy.decide(answer, safe=False, splittable=True)
                logger.warning("data-unit batch of %d failed (%s): %s", len(batch), action, answer)
                if action is Decision.SPLIT:
                    e.journal.abandon_batch(batch_id)
                    return batch, answer
                if action is Decision.FAIL:
                    e.journal.abandon_batch(batch_id)
                    e.batch_failed(batch, FailureReason.UNIT_REJECTED, answer)
                    return None
                if action is Decision.RECONCILE:
                    if not (yield from self._reconcile()):
                        e.batch_failed(batch, FailureReason.UNIT_UNKNOWN, answer)
                        return None
                    found, batch = e.reconciled(batch_id, batch)
                    yield from self.tasks(found)
                else:
                    e.journal.abandon_batch(batch_id)
                reason: ClientError | str = answer
            else:
                ids, batch = e.batch_created(batch_id, batch, self._units(answer))
                logger.debug(
                    "data-unit batch: %d units created, %d unmatched", len(ids), len(batch)
                )
                yield from self.tasks(ids)
                if not batch:
                    return None
                if not (yield from self._reconcile()):
                    e.batch_failed(batch, FailureReason.UNIT_UNKNOWN, "answer incomplete")
                    return None
                found, batch = e.reconciled(batch_id, batch)
                yield from self.tasks(found)
                reason = "answer incomplete"
            attempt += 1
            if batch and attempt >= e.policy.max_attempts:
                e.batch_failed(batch, FailureReason.UNIT_FAILED, reason)
                return None
            if batch and isinstance(reason, ClientError):
                delay = e.policy.delay(reason, attempt - 1, self.uniform)
                logger.debug("data-unit batch of %d: retry in %.2fs", len(batch), delay)
                yield Sleep(delay)
        return None

    @staticmethod
    def _units(answer: object) -> list[DataUnit]:
        return answer if isinstance(answer, list) else []
