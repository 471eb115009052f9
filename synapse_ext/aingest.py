"""Async twin of :func:`synapse_ext.ingest.upload_data_collection` over ``AsyncSynapseClient``.

Same engine, same journal, same decisions; only the I/O differs: hashing runs in worker
threads, uploads run concurrently under a capacity limit, unit batches stay serial.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import anyio
import attrs

from ._ingest_engine import (
    DEFAULT_JOURNAL,
    UPLOAD_ERRORS,
    Engine,
    JournalArg,
    MiB,
    Prepared,
    build_engine,
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
from .progress import ProgressReporter, as_reporter

__all__ = ["aupload_data_collection"]

logger = logging.getLogger("synapse_ext")


@attrs.define
class _AsyncRun:
    client: Any
    engine: Engine
    limiter: anyio.CapacityLimiter
    chunked_threshold: int
    chunk_size: int

    async def _list_into_journal(self) -> None:
        e = self.engine
        chunk: list[Any] = []
        async for unit in self.client.iter_data_units(
            collection_id=e.collection_id, page_size=1000
        ):
            chunk.append(unit)
            if len(chunk) >= 1000:
                e.record_listing(chunk)
                chunk = []
        e.record_listing(chunk)

    async def reconcile(self) -> bool:
        try:
            await self._list_into_journal()
        except ClientError as exc:
            logger.warning("could not list data units to reconcile: %s", exc)
            return False
        return True

    async def start(self) -> None:
        e = self.engine
        if e.journal.inflight_batches(e.scope) or not e.journal.scope_listed(e.scope):
            await self._list_into_journal()
            e.journal.close_inflight(e.scope)
            e.journal.mark_scope_listed(e.scope)

    async def _hash_all(self, paths: Sequence[str]) -> dict[str, Any]:
        hashed: dict[str, Any] = {}

        async def one(path: str) -> None:
            hashed[path] = await anyio.to_thread.run_sync(safe_md5, path, limiter=self.limiter)

        async with anyio.create_task_group() as tg:
            for path in paths:
                tg.start_soon(one, path)
        return hashed

    async def window(self, items: Sequence[tuple[int, Any]]) -> None:
        e = self.engine
        groups = e.admit(items)
        facts, todo_paths = e.hash_plan(groups)
        prepared = e.prepare(groups, facts, await self._hash_all(todo_paths))
        present, todo = e.split_done(prepared)
        await self.tasks(present)
        if not todo:
            return
        try:
            existing = await self.client.verify_checksums(e.needed_checksums(todo))
        except ClientError as exc:
            e.batch_failed(todo, FailureReason.VERIFY_FAILED, exc)
            return
        failed = await self.upload(e.plan_uploads(todo, existing))
        for batch in batched(e.bindable(todo, failed), e.batch_size):
            await self.send_batch(batch)

    async def upload(self, plan: dict[str, tuple[Path, int]]) -> dict[str, str]:
        e = self.engine
        errors: dict[str, str] = {}

        async def one(checksum: str, path: Path, size: int) -> None:
            async with self.limiter:
                try:
                    options = e.upload_options(size, self.chunked_threshold, self.chunk_size)
                    await self.client.upload_file(path, **options)
                except UPLOAD_ERRORS as exc:
                    error: Exception | None = exc
                else:
                    error = None
            message = e.upload_outcome(checksum, path, size, error)
            if message is not None:
                errors[checksum] = message

        async with anyio.create_task_group() as tg:
            for checksum, (path, size) in plan.items():
                tg.start_soon(one, checksum, path, size)
        if errors:
            try:
                stored = await self.client.verify_checksums(list(errors))
            except ClientError:
                stored = set()
            for checksum in stored:
                del errors[checksum]
        return errors

    async def send_batch(self, batch: list[Prepared]) -> None:
        await self.drive(unit_batch_flow(self.engine, batch))

    async def tasks(self, unit_ids: Sequence[int]) -> None:
        await self.drive(task_flow(self.engine, unit_ids))

    async def drive(self, flow: UnitFlow) -> None:
        """Perform a unit/task flow's intents with async I/O."""
        answer: Any = None
        try:
            while True:
                answer = await self.perform(flow.send(answer))
        except StopIteration:
            return

    async def perform(self, intent: UnitIntent) -> Any:
        e = self.engine
        try:
            if isinstance(intent, CreateUnits):
                return await self.client.create_data_units(intent.units)
            if isinstance(intent, CreateTasks):
                return await self.client.create_tasks(e.project_id, intent.unit_ids)
        except ClientError as exc:
            return exc
        if isinstance(intent, Reconcile):
            return await self.reconcile()
        await anyio.sleep(intent.seconds)
        return None


async def aupload_data_collection(
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
) -> IngestResult:
    """Async twin of :func:`~synapse_ext.ingest.upload_data_collection` (``AsyncSynapseClient``)."""
    validate_args(batch_size, max_workers, chunk_size)
    result = IngestResult()
    with ExitStack() as stack:
        jr = open_journal(journal, stack)
        reporter = as_reporter(on_progress)
        collection = await client.get_collection(collection_id, with_specifications=True)
        tasks = progress_tasks(stack, reporter, data)
        engine = build_engine(
            client, collection, collection_id, jr, result, tasks, batch_size, project_id
        )
        engine.policy = unit_retry or engine.policy
        run = _AsyncRun(
            client, engine, anyio.CapacityLimiter(max_workers), chunked_threshold, chunk_size
        )
        await run.start()
        for items in windows(data, max(window, batch_size)):
            await run.window(items)
    return result
