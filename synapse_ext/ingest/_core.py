"""The single-process ingestion: one flow from groups to data files, units and tasks.

:func:`local_ingestion` is the run itself, with settings already checked
(:class:`~.settings.IngestSettings`); ``run.py: ingestion`` normalizes the arguments and
dispatches here or to the distributed driver, whose shards run this same flow on workers
(:data:`run_local_ingestion`, its blocking driver), so a shard never goes through the
dispatcher.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

from synapse_client.models import DataCollection

from .._flow import AdaptiveLimit, Flow
from ..client import SynapseClient
from ..client._api import ClientApi
from ..client._options import ProgressArg
from ..client._worlds import blocking_function
from ..dataset.specs import specs_of
from ..errors import NotFoundError
from ..policy import UNIT_BATCH_RETRY
from ..progress import as_reporter
from ._engine import Engine, JournalArg, open_journal, progress_tasks, windows
from ._flows import ingest_run
from .journal import journal_scope
from .results import GroupLike, IngestResult
from .settings import ApiChoice, IngestSettings

__all__ = [
    "ADAPTIVE_START",
    "DEFAULT_WORKERS",
    "FIXED_WORKERS",
    "local_ingestion",
    "run_local_ingestion",
    "which_api",
]

DEFAULT_WORKERS = 48
"""The default ceiling of the adaptive concurrency of uploads and lookups."""
ADAPTIVE_START = 8
"""Where the adaptive concurrency starts (the former fixed default)."""
FIXED_WORKERS = 8
"""The default of ``max_workers`` with ``adaptive=False``."""

logger = logging.getLogger("synapse_ext")


def which_api(client: ClientApi[Any, Any], collection_id: int, api: ApiChoice) -> Flow[ApiChoice]:
    """``api`` itself, or for ``auto`` v2 when the server offers it for the collection."""
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


def local_ingestion(
    client: ClientApi[Any, Any],
    collection_id: int,
    data: Iterable[GroupLike],
    settings: IngestSettings,
    *,
    on_progress: ProgressArg,
    journal: JournalArg,
    collection: DataCollection | None,
) -> Flow[IngestResult]:
    """The ingestion in this process (see :func:`~synapse_ext.upload_data_collection`)."""
    started = time.monotonic()
    s = settings
    # Given: that many in flight (fewer while the server pushes back); not given: from
    # ADAPTIVE_START up to DEFAULT_WORKERS as throughput rises.
    if s.max_workers is not None:
        max_workers = start = s.max_workers
    else:  # more in flight than the client's pool would only queue there
        pool = getattr(client, "max_connections", DEFAULT_WORKERS)
        max_workers = min(DEFAULT_WORKERS, pool) if s.adaptive else FIXED_WORKERS
        start = min(ADAPTIVE_START, max_workers)
    result = IngestResult()
    with ExitStack() as stack:
        jr = open_journal(journal, stack)
        result.api = yield from which_api(client, collection_id, s.api)
        if collection is None:
            collection = yield from ClientApi.get_collection.flow(client, collection_id)
        window = max(s.window, s.batch_size)
        groups_task, bytes_task, byte_total = progress_tasks(
            stack, as_reporter(on_progress), data, window
        )
        engine = Engine(
            collection_id=collection_id,
            scope=journal_scope(client.base_url, collection_id),
            journal=jr,
            specs={spec.name: spec for spec in specs_of(collection)},
            result=result,
            groups_task=groups_task,
            bytes_task=bytes_task,
            batch_size=s.batch_size,
            policy=s.unit_retry or UNIT_BATCH_RETRY,
            project_id=s.project_id,
            trust_etag=s.trust_etag,
            byte_total=byte_total,
        )
        limit = AdaptiveLimit(max_workers, start=start) if s.adaptive else None
        # Hashing is local work: adaptive runs hash at most FIXED_WORKERS files at a time.
        fixed = min(max_workers, FIXED_WORKERS) if s.adaptive else max_workers
        result.dry_run = s.dry_run
        uploads = limit if limit is not None else max_workers
        run = ingest_run(result.api, client, engine, s, limit=uploads, hash_workers=fixed)
        in_flight = f"adaptive from {start} up to {max_workers}" if s.adaptive else str(max_workers)
        logger.info(
            "ingesting into collection %d%s: windows of %d groups, unit batches of %d, "
            "uploads in flight: %s%s",
            collection_id,
            f" (tasks in project {s.project_id})" if s.project_id is not None else "",
            window,
            s.batch_size,
            in_flight,
            " (dry run)" if s.dry_run else "",
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


run_local_ingestion = blocking_function(local_ingestion, "run_local_ingestion", SynapseClient)
""":func:`local_ingestion` run to its end by a blocking client (what a shard runs)."""
