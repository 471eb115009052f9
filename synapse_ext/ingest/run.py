"""``upload_data_collection`` / ``aupload_data_collection``: groups → data files + units (+ tasks).

Per window of groups: hash files (MD5, streamed, in parallel; cached in the journal), skip
groups the journal knows as done, ask ``verify_checksums`` which files the server holds,
upload only the others (bounded concurrency, chunked above the threshold), then create units
in batches, each recorded as in flight in the journal *before* it is sent. A batch whose
outcome is unknown (lost response, 5xx, a crash) is reconciled by listing the collection's
units and matching them by content id; only the groups really missing are sent again.
See ``docs/decisions.md`` (ingestion) for the crash windows and how each is closed.

The ingestion is one flow (:func:`ingestion`); the two public functions are that flow run by
a blocking or an asyncio client, so they cannot drift apart. It only turns its arguments into
one :class:`IngestSettings` and dispatches: to the distributed driver with an ``executor``,
else to the single-process flow (``_core.py: local_ingestion``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Unpack

from synapse_client.models import DataCollection

from .._flow import Flow
from ..client import AsyncSynapseClient, SynapseClient
from ..client._api import ClientApi
from ..client._options import ProgressArg
from ..client._worlds import awaitable_function, blocking_function
from ._core import ADAPTIVE_START, DEFAULT_WORKERS, FIXED_WORKERS, local_ingestion
from ._engine import DEFAULT_JOURNAL, JournalArg
from .journal import Journal, default_journal_path, journal_scope
from .results import GroupLike, IngestResult
from .settings import API_CHOICES, ApiChoice, IngestSettings, SettingsArgs, _TuningArgs, settings_of

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


class IngestOptions(_TuningArgs, total=False):
    """The keyword-only options of :func:`ingestion` but ``project_id``, ``batch_size``,
    ``max_workers``, ``on_progress``, ``settings`` and ``collection`` (defaults as documented
    there), for wrappers that pass them on, such as ``BackendClient.upload_data_collection``.
    Its settings are those of :class:`IngestSettings` (a test pins them to its fields)."""

    journal: JournalArg
    executor: Executor | None


def ingestion(
    client: ClientApi[Any, Any],
    collection_id: int,
    data: Iterable[GroupLike],
    *,
    settings: IngestSettings | None = None,
    on_progress: ProgressArg = None,
    journal: JournalArg = DEFAULT_JOURNAL,
    executor: Executor | None = None,
    collection: DataCollection | None = None,
    **shorthand: Unpack[SettingsArgs],
) -> Flow[IngestResult]:
    """Upload organized groups to a collection as data units (and tasks when ``project_id``).

    ``data`` yields ``OrganizedGroup`` or ``{'files': {spec: path}, 'meta': {...},
    'groups'?: [...]}``. Files the server holds are not sent again; re-running after a crash
    or a failure completes the job without duplicate units (``journal``: a path, a
    :class:`Journal`, or ``None``/``False`` for memory only). ``window`` groups are hashed and
    checked per round; ``unit_retry`` sets the attempts and jitter of unit batches and tasks
    (contract §7 by default: 3 attempts); waits use the client's ``sleep``.

    The tuning options (``project_id`` to ``adaptive`` below) are the fields of
    :class:`IngestSettings`: pass one as ``settings``, or its fields as keywords, a
    shorthand that overrides ``settings`` (``settings=base, dry_run=True``). Every value is
    checked before anything is sent: a bad one raises ``ValueError`` naming it, an unknown
    keyword ``TypeError``.

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
    options = settings_of(settings, shorthand)
    if collection is not None and collection.id != collection_id:
        raise ValueError(
            f"collection is data collection {collection.id}, not collection_id {collection_id}"
        )
    if executor is None:
        return (
            yield from local_ingestion(
                client,
                collection_id,
                data,
                options,
                on_progress=on_progress,
                journal=journal,
                collection=collection,
            )
        )
    from ..distributed.driver import distributed_ingestion  # optional machinery: lazily

    started = time.monotonic()
    shards = yield from distributed_ingestion(
        client,
        collection_id,
        data,
        executor,
        options,
        on_progress=on_progress,
        journal=journal,
        check_collection=collection is None,
    )
    shards.elapsed_s = time.monotonic() - started
    return shards


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
