"""The ingestion as pure flows: one run's window pipeline over a protocol strategy.

:class:`IngestRun` admits, hashes, skips what the journal knows, checks, uploads and binds
each window of groups, as batch flows; what differs between v1 and v2 (the start of a run,
which files the server holds, uploads, unit batches, tasks) is its ``protocol``'s
(:mod:`._protocol_v1`, :mod:`._protocol_v2`). Each function is a flow (see
``synapse_ext._flow``): it yields intents and the client's driver, sync or async, performs
them.

A dry run (``dry_run``) is a mode of the same run: files are hashed and looked up exactly as
in a real run (the journal keeps only what it caches for any run: MD5s and, on v1, the
collection's listing), so the counts say what a run *would* do: ``files_uploaded`` and
``bytes_sent`` are the files the server lacks (counted, never sent, over both protocols),
``units_created`` the units it would make, ``units_already_present`` those it holds. A group
naming a file still to upload cannot be checked by the server (the file is unknown to it)
and counts as a unit to create; the protocols decide about the others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import attrs

from .._flow import AdaptiveLimit, Flow, Parallel, batched, blocking
from ..client._api import ClientApi
from ..errors import ClientError
from ..sources import FileRef, file_key
from ._engine import Engine, Prepared, safe_md5
from ._protocol import IngestProtocol, Parts, count_new_units
from ._protocol_v1 import V1Protocol
from ._protocol_v2 import V2Protocol
from .results import FailureReason
from .settings import IngestSettings

__all__ = ["BATCHES_IN_FLIGHT", "IngestRun", "ingest_run"]

logger = logging.getLogger("synapse_ext")

BATCHES_IN_FLIGHT = 3
"""Batch flows of a window that run at once (their uploads share the adaptive limit)."""


@attrs.frozen
class IngestRun:
    """One ingestion's window pipeline over its protocol (v1 or v2; a dry run or not)."""

    protocol: IngestProtocol
    max_workers: int
    """Files hashed at once."""
    to_upload: set[str] = attrs.field(factory=set)
    """(dry run) The checksums a run would upload: their groups cannot be checked."""

    @property
    def engine(self) -> Engine:
        """The run's decisions and bookkeeping (its protocol's)."""
        return self.protocol.engine

    @property
    def dry_run(self) -> bool:
        """True: nothing is stored; what a run would do is counted."""
        return self.protocol.dry_run

    def start(self) -> Flow[None]:
        """What the protocol does before the first window (v1: a listing, if needed)."""
        return self.protocol.start()

    # -- windows ---------------------------------------------------------------------------
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
        yield from self.protocol.tasks(present)
        if not todo:
            return
        try:
            existing = yield from self.protocol.held(todo)
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
        failed = (yield from self._upload(own)) if own else {}
        yield from self._bind(bind, failed)
        return failed

    def _bind(self, batch: list[Prepared], failed: dict[str, str]) -> Flow[None]:
        """Create the units of ``batch`` whose files are all stored (``failed``: those not)."""
        bindable = self.engine.bindable(batch, failed) if batch else []
        if self.dry_run:
            unknown = [b for b in bindable if self.to_upload.intersection(b.checksums.values())]
            count_new_units(self.engine, len(unknown))
            bindable = [b for b in bindable if b not in unknown]
        if bindable:
            yield from self.protocol.unit_batch(bindable)

    def _upload(self, plan: dict[str, tuple[FileRef, int]]) -> Flow[dict[str, str]]:
        """The protocol's upload; a dry run counts the files the server lacks (and notes
        them: their groups cannot be checked), sending nothing."""
        if not self.dry_run:
            return (yield from self.protocol.upload(plan))
        for checksum, (_, size) in plan.items():
            self.engine.uploaded(checksum, size)
        self.to_upload.update(plan)
        return {}


def ingest_run(
    api: str,
    client: ClientApi[Any, Any],
    engine: Engine,
    settings: IngestSettings,
    *,
    limit: int | AdaptiveLimit,
    hash_workers: int,
) -> IngestRun:
    """The run of one ingestion over ``api``'s protocol ("v2", else v1), as ``settings`` say;
    ``limit``: the uploads and lookups at once (adaptive, or fixed); ``hash_workers``: the
    files hashed at once."""
    parts = Parts(
        client=client,
        engine=engine,
        uniform=client._uniform,
        limit=limit,
        dry_run=settings.dry_run,
    )
    protocol: IngestProtocol
    if api == "v2":
        protocol = V2Protocol(
            **parts,
            part_concurrency=settings.part_concurrency,
            lookup_threshold=settings.lookup_threshold,
        )
    else:
        protocol = V1Protocol(
            **parts, chunked_threshold=settings.chunked_threshold, chunk_size=settings.chunk_size
        )
    return IngestRun(protocol, hash_workers)
