"""The driver of a sharded ingestion: plan once, submit one task per shard, merge.

``upload_data_collection(..., executor=EXECUTOR)`` hands off here. The driver checks the
collection and picks the API once, normalizes and deduplicates the groups, splits them into
shards by a stable hash of the group key, submits :func:`~.shard.run_shard` once per
non-empty shard, and merges the shards' :class:`~synapse_ext.IngestResult` counts while one
progress display (groups and bytes) follows the whole run.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, as_completed
from contextlib import ExitStack
from typing import Any, ParamSpec, TypeAlias, TypeVar, cast

import attrs

from .._flow import Flow, blocking
from ..client import AsyncSynapseClient, SynapseClient
from ..client._api import ClientApi
from ..client._options import ProgressArg
from ..ingest._engine import DEFAULT_JOURNAL, JournalArg, validate_args
from ..ingest._protocol_v2 import DEFAULT_LOOKUP_THRESHOLD
from ..ingest.journal import Journal
from ..ingest.results import FailureReason, IngestFailure, IngestResult
from ..policy import RetryPolicy
from ..progress import as_reporter
from .feed import ProgressMerger
from .settings import ClientSettings
from .shard import DEFAULT_SHARD_JOURNALS, ShardTask, run_shard
from .sharding import ShardPlan, plan_shards

__all__ = ["ShardedExecutor", "distributed_ingestion"]

logger = logging.getLogger("synapse_ext")
_Clients: TypeAlias = "SynapseClient | AsyncSynapseClient"
P = ParamSpec("P")
T = TypeVar("T")

SHARDS_PER_WORKER = 4
"""Default shards per worker slot: small enough to balance load and to retry cheaply."""


class ShardedExecutor(Executor):
    """An executor plus how to shard for it: ``upload_data_collection(..., executor=this)``.

    ``shards``: how many shards (default: 4 per worker slot the executor reports, else 32);
    keep it stable between runs so each shard finds its journal again. ``settings``: how
    workers build their client (default: those of the driver's client, token included; pass
    ``ClientSettings(url, token=None)`` to have workers read ``SYNAPSE_ACCESS_TOKEN``).
    Submitting and shutting down go to the wrapped executor.
    """

    def __init__(
        self,
        executor: Executor,
        *,
        shards: int | None = None,
        settings: ClientSettings | None = None,
    ) -> None:
        if shards is not None and shards < 1:
            raise ValueError("shards must be >= 1")
        self.executor = executor
        self.shards = shards
        self.settings = settings

    def __repr__(self) -> str:
        return f"ShardedExecutor({self.executor!r}, shards={self.shards})"

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Submit to the wrapped executor."""
        return self.executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the wrapped executor down."""
        self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)


def dask_client_of(executor: Executor) -> Any:
    """The ``distributed.Client`` behind ``Client.get_executor()``, else ``None``."""
    module = sys.modules.get("distributed.client")  # imported already if it made the executor
    if module is not None and isinstance(executor, module.ClientExecutor):
        return executor._client
    return None


def _worker_slots(executor: Executor) -> int | None:
    dask = dask_client_of(executor)
    if dask is not None:
        return sum(dask.nthreads().values()) or None
    slots = getattr(executor, "_max_workers", None)
    return slots if isinstance(slots, int) and slots > 0 else None


def _shard_journals(journal: JournalArg) -> str | None:
    if isinstance(journal, Journal):
        raise TypeError(
            "a Journal object cannot be shared with worker processes: with executor=, pass a "
            "folder for the shard journals, DEFAULT_JOURNAL (each worker's cache) or None"
        )
    if journal is None or journal is False:
        return None
    if journal is DEFAULT_JOURNAL:
        return DEFAULT_SHARD_JOURNALS
    return os.fspath(journal)


def distributed_ingestion(
    client: ClientApi[Any, Any],
    collection_id: int,
    data: Iterable[Any],
    executor: Executor,
    *,
    which_api: Flow[str],
    project_id: int | None,
    batch_size: int,
    max_workers: int | None,
    on_progress: ProgressArg,
    journal: JournalArg,
    chunked_threshold: int,
    chunk_size: int,
    window: int,
    unit_retry: RetryPolicy | None,
    part_concurrency: int,
    lookup_threshold: int = DEFAULT_LOOKUP_THRESHOLD,
    dry_run: bool = False,
    trust_etag: bool = False,
    adaptive: bool = True,
    check_collection: bool = True,
) -> Flow[IngestResult]:
    """The sharded ingestion as a flow (the client's own calls: the API choice, the check
    that the collection exists unless ``check_collection=False``: the caller fetched it);
    the shards run on ``executor``. ``max_workers=None``: each shard's own default."""
    validate_args(batch_size, 1 if max_workers is None else max_workers, chunk_size)
    spec = executor if isinstance(executor, ShardedExecutor) else ShardedExecutor(executor)
    journals = _shard_journals(journal)
    api = yield from which_api
    if check_collection:  # fails here, not N times
        yield from ClientApi.get_collection.flow(client, collection_id)
    settings = spec.settings or ClientSettings.from_client(cast(_Clients, client))
    options: dict[str, Any] = {
        "project_id": project_id,
        "batch_size": batch_size,
        "max_workers": max_workers,
        "chunked_threshold": chunked_threshold,
        "chunk_size": chunk_size,
        "window": window,
        "unit_retry": unit_retry,
        "api": api,
        "part_concurrency": part_concurrency,
        "lookup_threshold": lookup_threshold,
        "dry_run": dry_run,
        "trust_etag": trust_etag,
        "adaptive": adaptive,
    }
    run = _Run(spec, settings, collection_id, options, journals, on_progress)
    return (yield from blocking(run.drive, data))


@attrs.define
class _Run:
    spec: ShardedExecutor
    settings: ClientSettings
    collection_id: int
    options: dict[str, Any]
    journals: str | None
    on_progress: ProgressArg
    run_id: str = attrs.Factory(lambda: uuid.uuid4().hex[:12])

    def drive(self, data: Iterable[Any]) -> IngestResult:
        executor = self.spec.executor  # the real one: Dask's is recognized by its type
        count = self.spec.shards or SHARDS_PER_WORKER * (_worker_slots(executor) or 8)
        plan = plan_shards(data, count)
        result = IngestResult(api=str(self.options["api"]), dry_run=bool(self.options["dry_run"]))
        result.groups = len(plan.failures) + plan.duplicates
        result.units_already_present = plan.duplicates
        result.failures.extend(plan.failures)
        reporter = as_reporter(self.on_progress)
        dask = dask_client_of(executor)
        topic = f"synapse-dc-progress-{self.run_id}" if dask is not None else None
        with ExitStack() as stack:
            groups = stack.enter_context(
                reporter.task(total=plan.groups, desc="data units", unit="group")
            )
            sent = stack.enter_context(reporter.task(total=None, desc="file content", unit="B"))
            groups.advance(len(plan.failures) + plan.duplicates)
            merger = ProgressMerger(groups, sent)
            if dask is not None and topic is not None:
                dask.subscribe_topic(topic, merger.on_event)
                stack.callback(dask.unsubscribe_topic, topic)
            self._submit_and_merge(executor, plan, topic, merger, result)
        return result

    def _submit_and_merge(
        self,
        executor: Executor,
        plan: ShardPlan,
        topic: str | None,
        merger: ProgressMerger,
        result: IngestResult,
    ) -> None:
        count = len(plan.shards)
        futures: dict[Future[IngestResult], ShardTask] = {}
        for index, shard_groups in enumerate(plan.shards):
            if not shard_groups:
                continue
            task = ShardTask(
                run_id=self.run_id,
                index=index,
                count=count,
                settings=self.settings,
                collection_id=self.collection_id,
                groups=tuple(shard_groups),
                options=self.options,
                journals=self.journals,
                progress_topic=topic,
            )
            futures[executor.submit(run_shard, task)] = task
        plan.shards.clear()  # the executor holds the groups now
        logger.info("run %s: %d groups in %d shards", self.run_id, plan.groups, len(futures))
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    shard_result = future.result()
                except Exception as exc:  # the shard never finished: its groups failed
                    logger.warning("%s failed: %s: %s", task.name, type(exc).__name__, exc)
                    result.groups += len(task.groups)
                    message = f"{task.name} failed ({type(exc).__name__}: {exc}); re-run"
                    result.failures.extend(
                        IngestFailure(g.key, FailureReason.SHARD_FAILED, message)
                        for g in task.groups
                    )
                    merger.report(task.index, len(task.groups), 0)
                    continue
                result.merge(shard_result)
                merger.report(task.index, len(task.groups), shard_result.bytes_sent)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
