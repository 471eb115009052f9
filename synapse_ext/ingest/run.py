"""``upload_data_collection`` / ``aupload_data_collection``: groups → data files + units (+ tasks).

Per window of groups: hash files (MD5, streamed, in parallel; cached in the journal), skip
groups the journal knows as done, ask ``verify_checksums`` which files the server holds,
upload only the others (bounded concurrency, chunked above the threshold), then create units
in batches, each recorded as in flight in the journal *before* it is sent. A batch whose
outcome is unknown (lost response, 5xx, a crash) is reconciled by listing the collection's
units and matching them by content id; only the groups really missing are sent again.
See ``docs/decisions.md`` (ingestion) for the crash windows and how each is closed.

The ingestion is one flow (:func:`ingestion`); the two public functions are that flow run by
a blocking or an asyncio client, so they cannot drift apart.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Literal, TypedDict

from synapse_client.models import DataCollection

from .._flow import AdaptiveLimit, Flow
from ..client import AsyncSynapseClient, SynapseClient
from ..client._api import ClientApi
from ..client._options import ProgressArg
from ..client._worlds import awaitable_function, blocking_function
from ..dataset.specs import specs_of
from ..errors import NotFoundError
from ..policy import UNIT_BATCH_RETRY, RetryPolicy
from ..progress import as_reporter
from ..upload._files import MiB
from ._engine import (
    DEFAULT_JOURNAL,
    Engine,
    JournalArg,
    open_journal,
    progress_tasks,
    validate_args,
    windows,
)
from ._flows import ingest_run
from ._protocol_v2 import DEFAULT_LOOKUP_THRESHOLD
from .journal import Journal, default_journal_path, journal_scope
from .results import GroupLike, IngestResult

__all__ = [
    "ADAPTIVE_START",
    "API_CHOICES",
    "DEFAULT_JOURNAL",
    "DEFAULT_WORKERS",
    "FIXED_WORKERS",
    "ApiChoice",
    "IngestOptions",
    "aupload_data_collection",
    "forget_ingestion",
    "ingestion",
    "upload_data_collection",
]


class IngestOptions(TypedDict, total=False):
    """The keyword-only tuning options of :func:`ingestion` (defaults as documented there),
    for wrappers that pass them on, such as ``BackendClient.upload_data_collection``."""

    journal: JournalArg
    chunked_threshold: int
    chunk_size: int
    window: int
    unit_retry: RetryPolicy | None
    api: ApiChoice
    part_concurrency: int
    lookup_threshold: int
    dry_run: bool
    trust_etag: bool
    executor: Executor | None
    adaptive: bool


DEFAULT_WORKERS = 48
"""The default ceiling of the adaptive concurrency of uploads and lookups."""
ADAPTIVE_START = 8
"""Where the adaptive concurrency starts (the former fixed default)."""
FIXED_WORKERS = 8
"""The default of ``max_workers`` with ``adaptive=False``."""

ApiChoice = Literal["auto", "v1", "v2"]
"""Which API an ingestion speaks; ``auto``: v2 when the server offers it, else v1."""
API_CHOICES: tuple[ApiChoice, ...] = ("auto", "v1", "v2")

logger = logging.getLogger("synapse_ext")


def _which_api(client: ClientApi[Any, Any], collection_id: int, api: ApiChoice) -> Flow[str]:
    if api not in API_CHOICES:
        raise ValueError(f"api must be one of {API_CHOICES}, not {api!r}")
    if api != "auto":
        logger.info("collection %d: API %s (as asked)", collection_id, api)
        return api
    try:
        yield from ClientApi.get_collection_v2.flow(client, collection_id)
    except NotFoundError:  # no v2 here (or no such collection: v1 will say so)
        logger.info("collection %d: API v1 (auto: the server offers no v2 here)", collection_id)
        return "v1"
    logger.info("collection %d: API v2 (auto: the server offers it)", collection_id)
    return "v2"


def ingestion(
    client: ClientApi[Any, Any],
    collection_id: int,
    data: Iterable[GroupLike],
    *,
    project_id: int | None = None,
    batch_size: int = 200,
    max_workers: int | None = None,
    on_progress: ProgressArg = None,
    journal: JournalArg = DEFAULT_JOURNAL,
    chunked_threshold: int = 50 * MiB,
    chunk_size: int = 50 * MiB,
    window: int = 1000,
    unit_retry: RetryPolicy | None = None,
    api: ApiChoice = "auto",
    part_concurrency: int = 4,
    lookup_threshold: int = DEFAULT_LOOKUP_THRESHOLD,
    dry_run: bool = False,
    trust_etag: bool = False,
    executor: Executor | None = None,
    adaptive: bool = True,
    collection: DataCollection | None = None,
) -> Flow[IngestResult]:
    """Upload organized groups to a collection as data units (and tasks when ``project_id``).

    ``data`` yields ``OrganizedGroup`` or ``{'files': {spec: path}, 'meta': {...},
    'groups'?: [...]}``. Files the server holds are not sent again; re-running after a crash
    or a failure completes the job without duplicate units (``journal``: a path, a
    :class:`Journal`, or ``None``/``False`` for memory only). ``window`` groups are hashed and
    checked per round; ``unit_retry`` sets the attempts and jitter of unit batches and tasks
    (contract §7 by default: 3 attempts); waits use the client's ``sleep``.

    ``api``: ``"v2"`` uploads through presigned URLs straight to object storage (parts of
    large files ``part_concurrency`` at a time) and binds units with the idempotent v2
    bulk-create: a repeated or concurrent run never duplicates a unit; ``"v1"`` uses
    ``data_files/`` and ``data_units/``; ``"auto"`` (the default) picks v2 when the server
    offers it, else v1. ``IngestResult.api`` says which was used. Over v2, local files of at
    most ``lookup_threshold`` bytes (256 KiB by default; 0: none) are uploaded without the
    per-file checksum lookup first: finalize reuses a data file the server already holds
    (counted in ``files_already_present`` and ``files_resent``, its bytes in ``bytes_sent``
    and ``bytes_resent``), so a new small
    file costs one request instead of two; a small file the server held leaves its uploaded
    copy as an unreferenced storage object. Larger files and source files are looked up
    first and never sent when held.

    ``dry_run``: hash and look up as a real run does, store nothing, and count what a run would
    do (``IngestResult.dry_run``); over v2 the server's ``dry_run`` validates the units whose
    files it already holds and says which exist.

    Files may be local paths or source files (``organize("s3://bucket/prefix", ...)``): they
    are read straight from the source, never copied locally. ``trust_etag``: take a source
    file's MD5-shaped ETag as its checksum instead of reading it to hash it (each file is
    then read once, by its upload, which verifies the claim: a file whose ETag is not its
    MD5 fails and nothing is bound to the wrong checksum); see ``docs/decisions.md``.
    ``executor``: run the groups as shards on any ``concurrent.futures.Executor`` (Dask's
    ``Client.get_executor()``, a ``ProcessPoolExecutor``, ...; wrap it in
    :class:`~synapse_ext.distributed.ShardedExecutor` to choose the shards or the workers'
    settings). Each shard is this same ingestion on a worker, with its own client and journal
    (``journal`` is then a folder for the shard journals); see ``synapse_ext.distributed``.

    ``adaptive`` (the default): the uploads and lookups in flight follow the link. Without
    ``max_workers`` they start at 8 and grow up to 48 (or the client's ``max_connections`` if
    fewer) while throughput rises; with ``max_workers=N`` they start at N, the ceiling. Either
    way the limit halves when the server throttles (429, 503), a proxy fails or connections
    break, and grows back (``IngestResult.concurrency`` says what it did;
    ``docs/decisions.md``). ``adaptive=False``: exactly ``max_workers`` (8 by default) at a
    time.

    ``collection``: the collection ``collection_id`` names, as the caller already fetched it
    with its file specifications (``client.get_collection``, to ``organize`` with): the run
    then does not ask for it again. Its id must be ``collection_id``.
    """
    if collection is not None and collection.id != collection_id:
        raise ValueError(
            f"collection is data collection {collection.id}, not collection_id {collection_id}"
        )
    started = time.monotonic()
    if executor is not None:
        from ..distributed.driver import distributed_ingestion  # optional machinery: lazily

        shards = yield from distributed_ingestion(
            client,
            collection_id,
            data,
            executor,
            which_api=_which_api(client, collection_id, api),
            project_id=project_id,
            batch_size=batch_size,
            max_workers=max_workers,
            on_progress=on_progress,
            journal=journal,
            chunked_threshold=chunked_threshold,
            chunk_size=chunk_size,
            window=window,
            unit_retry=unit_retry,
            part_concurrency=part_concurrency,
            lookup_threshold=lookup_threshold,
            dry_run=dry_run,
            trust_etag=trust_etag,
            adaptive=adaptive,
            check_collection=collection is None,
        )
        shards.elapsed_s = time.monotonic() - started
        return shards
    # Given: that many in flight (fewer while the server pushes back); not given: from
    # ADAPTIVE_START up to DEFAULT_WORKERS as throughput rises.
    start = max_workers
    if max_workers is None:  # more in flight than the client's pool would only queue there
        pool = getattr(client, "max_connections", DEFAULT_WORKERS)
        max_workers = min(DEFAULT_WORKERS, pool) if adaptive else FIXED_WORKERS
        start = min(ADAPTIVE_START, max_workers)
    validate_args(batch_size, max_workers, chunk_size)
    if part_concurrency < 1:
        raise ValueError("part_concurrency must be >= 1")
    if lookup_threshold < 0:
        raise ValueError("lookup_threshold must be >= 0")
    result = IngestResult()
    with ExitStack() as stack:
        jr = open_journal(journal, stack)
        result.api = yield from _which_api(client, collection_id, api)
        if collection is None:
            collection = yield from ClientApi.get_collection.flow(client, collection_id)
        window = max(window, batch_size)
        groups_task, bytes_task, byte_total = progress_tasks(
            stack, as_reporter(on_progress), data, window
        )
        engine = Engine(
            collection_id=collection_id,
            scope=journal_scope(client.base_url, collection_id),
            journal=jr,
            specs={s.name: s for s in specs_of(collection)},
            result=result,
            groups_task=groups_task,
            bytes_task=bytes_task,
            batch_size=batch_size,
            policy=unit_retry or UNIT_BATCH_RETRY,
            project_id=project_id,
            trust_etag=trust_etag,
            byte_total=byte_total,
        )
        limit = AdaptiveLimit(max_workers, start=start) if adaptive else None
        # Hashing is local work: adaptive runs hash at most FIXED_WORKERS files at a time.
        fixed = min(max_workers, FIXED_WORKERS) if adaptive else max_workers
        settings = (
            client,
            engine,
            fixed,
            chunked_threshold,
            chunk_size,
            client._uniform,
            limit,
        )
        result.dry_run = dry_run
        run = ingest_run(
            result.api,
            *settings,
            dry_run=dry_run,
            part_concurrency=part_concurrency,
            lookup_threshold=lookup_threshold,
        )
        in_flight = f"adaptive from {start} up to {max_workers}" if adaptive else str(max_workers)
        logger.info(
            "ingesting into collection %d%s: windows of %d groups, unit batches of %d, "
            "uploads in flight: %s%s",
            collection_id,
            f" (tasks in project {project_id})" if project_id is not None else "",
            window,
            batch_size,
            in_flight,
            " (dry run)" if dry_run else "",
        )
        yield from run.start()
        for items in windows(data, window):
            yield from run.window(items)
        if byte_total is not None:
            byte_total.finish()
        result.concurrency = limit.stats() if limit is not None else None
        if result.concurrency is not None:
            c = result.concurrency
            logger.info(
                "uploads in flight: started at %d, peak %d, lowest %d, ended at %d "
                "(%d back-offs over %d requests)",
                c.start, c.peak, c.lowest, c.final, c.decreases, c.observed,
            )  # fmt: skip
    result.elapsed_s = time.monotonic() - started
    logger.info(
        "ingestion done in %.2f s: %d groups, %d files uploaded (%d bytes), %d already present, "
        "%d units created, %d already present, %d tasks created, %d groups failed",
        result.elapsed_s,
        result.groups,
        result.files_uploaded,
        result.bytes_sent,
        result.files_already_present,
        result.units_created,
        result.units_already_present,
        result.tasks_created,
        len(result.failures),
    )
    return result


upload_data_collection = blocking_function(ingestion, "upload_data_collection", SynapseClient)
aupload_data_collection = awaitable_function(
    ingestion, "aupload_data_collection", AsyncSynapseClient
)


def forget_ingestion(
    base_url: str, collection_id: int, *, journal: str | os.PathLike[str] | None = None
) -> None:
    """Start over: drop the journal's state for ``collection_id`` on ``base_url``.

    The next run lists the collection's units again, so it still creates no duplicates.
    """
    path = Path(journal) if journal is not None else default_journal_path()
    with Journal(path) as jr:
        jr.forget(journal_scope(base_url, collection_id))
