"""The ingestion's v2 operations (pure flows): lookups, presigned batches, bulk-create.

The run's window pipeline is the same over both protocols; over v2 its steps go this way:

* checking what the server holds: one ``GET /v2/data-files/?checksum=`` per file, concurrent
  (v2 has no batch form), except for local files of at most ``lookup_threshold`` bytes: those
  are uploaded without a lookup, since finalize is content-deduplicating (an existing
  checksum reuses its data file, ``created=false``: counted as already present) and one small
  PUT costs about the round trip a lookup costs (``docs/decisions.md``);
* uploads: ``upload-urls`` and ``finalize-upload`` in batches of at most 1000, the bytes
  straight to storage in parallel (the presigned engine); URLs that expired are asked for
  again (``URL_RENEWALS`` times at most); a finalize whose answer was lost is not resent
  blindly: the checksums are looked up, and only those never found are finalized again;
* units: ``bulk-create``, which the server makes idempotent (the same files are the same
  unit), so a batch whose answer was lost is simply sent again and a concurrent or repeated
  run never duplicates a unit; no listing of the collection is ever needed;
* tasks: ``tasks/bulk-create`` (units that already have one are skipped by the server).

Dry run (``dry_run``): every file is looked up (a dry run uploads nothing, so finalize cannot
tell); the groups whose files the server holds all go through ``bulk-create?dry_run=true``,
which validates them and says which units exist (the others, naming a file still to upload,
are counted as new by the run); with a project, ``tasks_created`` counts one task per unit to
create and, for units already present, those the server's ``tasks/bulk-create?dry_run=true``
says are missing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import attrs
from synapse_client.models import (
    DataUnitV2BulkCreateItem,
    DataUnitV2BulkCreateResult,
    PresignedUploadFile,
)

from .._flow import Flow, Parallel, Rejection, batched, bisected, watching
from ..client._api import ClientApi
from ..client._api_v2 import MAX_BATCH
from ..errors import ClientError, ResponseLostError
from ..policy import Decision
from ..sources import FileRef
from ..upload._finalize import Found, finalize_recovering
from ..upload._presigned import PutTarget, StoredFile, finalize_entry, presigned_upload_flow
from ..upload._renew import renewing
from ._engine import UPLOAD_ERRORS, Prepared
from ._protocol import ProtocolParts
from .results import FailureReason

__all__ = ["DEFAULT_LOOKUP_THRESHOLD", "V2Protocol"]

DEFAULT_LOOKUP_THRESHOLD = 256 << 10
"""Local files up to this size (256 KiB) are uploaded without a checksum lookup first."""

logger = logging.getLogger("synapse_ext")


@attrs.frozen(kw_only=True)
class V2Protocol(ProtocolParts):
    """An ingestion's operations over v2 (an :class:`~._protocol.IngestProtocol`)."""

    part_concurrency: int = 4
    lookup_threshold: int = DEFAULT_LOOKUP_THRESHOLD
    """Local files of at most this many bytes get no lookup: finalize deduplicates them."""

    def start(self) -> Flow[None]:
        """No listing: bulk-create is idempotent, so batches left in flight are sent again."""
        e = self.engine
        e.journal.close_inflight(e.scope)
        return
        yield  # a flow

    # -- what the server holds -------------------------------------------------------------
    def held(self, todo: Sequence[Prepared]) -> Flow[set[str]]:
        """Looked up: every checksum but those of small local files (their upload asks);
        every one in a dry run (nothing is uploaded, so finalize cannot tell)."""
        e = self.engine
        unasked = set() if self.dry_run else e.small_local(todo, self.lookup_threshold)
        return (yield from self._verify([c for c in e.needed_checksums(todo) if c not in unasked]))

    def _lookup(self, checksum: str) -> Flow[bool]:
        found = yield from ClientApi.find_data_file.flow(self.client, checksum)
        return found is not None

    def _verify(self, checksums: list[str]) -> Flow[set[str]]:
        answers = yield Parallel([self._lookup(c) for c in checksums], self.limit)
        return {c for c, held in zip(checksums, answers, strict=True) if held}

    def _lookup_or_not_yet(self, checksum: str) -> Flow[bool]:
        try:
            return (yield from self._lookup(checksum))
        except ClientError as exc:  # this checksum is asked again at the next poll
            logger.debug("looking up %s after an unclear finalize failed: %s", checksum, exc)
            return False

    def _polled_held(self, checksums: list[str]) -> Flow[set[str]]:
        """A poll after an unclear finalize: the checksums found; a lookup that fails counts
        as "not yet" for its checksum alone (the others' answers are kept)."""
        answers = yield Parallel([self._lookup_or_not_yet(c) for c in checksums], self.limit)
        return {c for c, held in zip(checksums, answers, strict=True) if held}

    # -- uploads ---------------------------------------------------------------------------
    def _put(
        self, upload: PresignedUploadFile, path: FileRef, size: int, checksum: str
    ) -> Flow[StoredFile | Exception]:
        # The bytes bar advances per stored PUT or part, each file's bytes counted once.
        share = self.engine.file_bytes(checksum, size, also=self.client.progress)
        try:
            with share.task(total=size, desc=path.name, unit="B") as task:
                target = PutTarget(path, size, task, self.client.upload_timeout)
                return (
                    yield from presigned_upload_flow(
                        upload,
                        target,
                        self.client.policy,
                        self.uniform,
                        md5=checksum,
                        part_concurrency=self.part_concurrency,
                        verify_md5=checksum in self.engine.claimed,
                    )
                )
        except UPLOAD_ERRORS as exc:
            return exc

    def _store(self, files: Sequence[tuple[str, FileRef, int]]) -> Flow[dict[str, Any]]:
        """PUT ``files`` (checksum, path, size) to fresh URLs; checksum → StoredFile or error.
        Files whose URLs expired meanwhile get new URLs (``URL_RENEWALS`` times at most)."""
        outcomes = yield from renewing(list(files), self._store_once)
        return {c: outcome for (c, _, _), outcome in zip(files, outcomes, strict=True)}

    def _store_once(self, files: list[tuple[str, FileRef, int]]) -> Flow[list[Any]]:
        logger.debug("requesting %d presigned upload URLs", len(files))
        try:
            urls = yield from ClientApi.request_upload_urls.flow(
                self.client, self.engine.collection_id, [(p.name, s) for _, p, s in files]
            )
        except ClientError as exc:
            return [exc] * len(files)
        flows = [
            self._put(upload, p, s, c) for (c, p, s), upload in zip(files, urls.files, strict=True)
        ]
        return list((yield Parallel(flows, self.limit)))

    def _finalize(self, stored: dict[str, StoredFile]) -> Flow[dict[str, str | bool]]:
        """Finalize ``stored``; checksum → the server's reason, or whether the data file was
        created (False: it already had one). After an unclear answer (lost, a 5xx or a 429:
        applied or not, nothing tells) the held ones count as created, and those the polls
        never find are finalized again (``finalize_recovering``; at most the policy's
        ``max_attempts`` sends in all): finalize reuses the data file of a known checksum, so
        even a first request applied late cannot make a second."""
        checksum_of = {s.file_key: c for c, s in stored.items()}
        outcome = yield from finalize_recovering(
            list(stored.values()),
            self._send_finalize,
            self._polled_held,
            self.client.policy,
            self.uniform,
        )
        out: dict[str, str | bool] = {}
        for key, verdict in outcome.items():
            if isinstance(verdict, Found):
                out[checksum_of[key]] = True
            elif isinstance(verdict, ClientError):
                out[checksum_of[key]] = str(verdict)
            else:
                out[checksum_of[key]] = verdict
        return out

    def _send_finalize(self, files: list[StoredFile]) -> Flow[dict[str, str | bool]]:
        """One ``finalize-upload`` of ``files``; file key → created, or the server's reason."""
        logger.debug("finalizing %d stored files", len(files))
        answer = yield from ClientApi.finalize_upload.flow(
            self.client, self.engine.collection_id, [finalize_entry(s) for s in files]
        )
        out: dict[str, str | bool] = dict.fromkeys(
            (s.file_key for s in files), "not in the finalize answer"
        )
        for row in answer.results:
            if row.file_key in out:
                out[row.file_key] = (
                    (row.created is not False) if row.success else (row.error or "not finalized")
                )
        return out

    def upload(self, plan: dict[str, tuple[FileRef, int]]) -> Flow[dict[str, str]]:
        """Upload the planned files in batches of ≤ 1000; checksum → error for failures."""
        e = self.engine
        errors: dict[str, str] = {}
        for batch in batched(list(plan.items()), MAX_BATCH):
            files = [(c, path, size) for c, (path, size) in batch]
            stored_or_error = yield from self._store(files)
            stored = {c: r for c, r in stored_or_error.items() if isinstance(r, StoredFile)}
            verdicts = (yield from self._finalize(stored)) if stored else {}
            for checksum, path, size in files:
                result = stored_or_error[checksum]
                verdict = verdicts.get(checksum, True)
                problem: Exception | None = (
                    result
                    if not isinstance(result, StoredFile)
                    else (Exception(verdict) if isinstance(verdict, str) else None)
                )
                message = e.upload_outcome(
                    checksum, path, size, problem, reused=verdict is False and problem is None
                )
                if message is not None:
                    errors[checksum] = message
        return errors

    # -- units and tasks -------------------------------------------------------------------
    def _items(self, batch: Sequence[Prepared]) -> list[DataUnitV2BulkCreateItem]:
        items = []
        for b in batch:
            body = self.engine.unit_create(b).to_dict()
            body.pop("data_collection", None)
            items.append(DataUnitV2BulkCreateItem.from_dict(body))
        return items

    def unit_batch(self, batch: list[Prepared]) -> Flow[None]:
        """One ``bulk-create`` (journaled in flight first; resent after a lost answer by the
        retrying call itself, since the server is idempotent); a rejected batch is bisected
        to isolate the bad groups. A dry run sends ``bulk-create?dry_run=true``: the server
        checks the groups and says which units exist."""
        yield from bisected(batch, self._bulk_create, self._units_rejected)

    def _units_rejected(self, batch: list[Prepared], error: ClientError) -> None:
        self.engine.batch_failed(batch, FailureReason.UNIT_REJECTED, error)

    def _bulk_create(self, batch: list[Prepared]) -> Flow[Rejection[Prepared, ClientError] | None]:
        e = self.engine
        batch_id = None if self.dry_run else e.begin_batch(batch)
        lost: list[object] = []  # answers lost on the way: the resend finds our own units

        def note_lost(answer: object) -> None:
            if isinstance(answer, ResponseLostError):
                lost.append(answer)

        try:
            answer: DataUnitV2BulkCreateResult = yield from watching(
                ClientApi.bulk_create_units.flow(
                    self.client, e.collection_id, self._items(batch), dry_run=self.dry_run
                ),
                note_lost,
            )
        except ClientError as exc:
            if batch_id is not None:
                e.journal.abandon_batch(batch_id)
            logger.warning("v2 bulk-create of %d units failed: %s", len(batch), exc)
            # bulk-create is idempotent (safe); a rejected batch is split
            if e.policy.decide(exc, splittable=True) is Decision.SPLIT:
                return batch, exc
            reason = (
                FailureReason.UNIT_REJECTED
                if exc.status_code in (400, 422)
                else (FailureReason.UNIT_FAILED)
            )
            e.batch_failed(batch, reason, exc)
            return None
        if batch_id is None:  # a dry run: the server said which units exist
            created = sum(1 for r in answer.results if r.created)
            e.units_made(created, present=len(answer.results) - created)
            if e.project_id is not None:
                e.tasks_counted(created)  # a new unit gets its task
                yield from self.tasks([r.data_unit_id for r in answer.results if not r.created])
            return None
        ids = e.batch_bound(
            batch_id,
            batch,
            [(r.data_unit_id, r.created) for r in answer.results],
            resent_after_loss=bool(lost),
        )
        logger.debug("v2 bulk-create of %d units: %d bound", len(batch), len(ids))
        yield from self.tasks(ids)
        return None

    def tasks(self, unit_ids: Sequence[int]) -> Flow[None]:
        """Tasks for the units the journal has none for, through ``tasks/bulk-create``
        (with its ``dry_run`` in a dry run: only counted)."""
        e = self.engine
        if e.project_id is None:
            return
        for chunk in batched(e.tasks_needed(unit_ids), MAX_BATCH):
            try:
                answer = yield from ClientApi.bulk_create_tasks.flow(
                    self.client, e.project_id, chunk, dry_run=self.dry_run
                )
            except ClientError as exc:
                e.tasks_failed(chunk, exc)
                continue
            logger.debug(
                "tasks bulk-create%s: %d created for %d units",
                " (dry run)" if self.dry_run else "",
                answer.created_count,
                len(chunk),
            )
            if self.dry_run:
                e.tasks_counted(answer.created_count)
            else:
                e.tasks_created(chunk, answer.created_count)
