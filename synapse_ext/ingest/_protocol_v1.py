"""The ingestion's v1 operations (pure flows): listing, ``verify_checksums``, uploads, unit
batches through ``POST data_units/``, tasks through ``POST tasks/``.

How a unit batch is retried, bisected and reconciled (contract §7), and which tasks are
still missing, exists once here. Unit batches and tasks are sent through single calls
(``Call``), so their retries are these flows' own: no request is retried by two layers.

Dry run (``dry_run``): v1 has no dry run on the server. The collection is listed as in a run
(the journal keeps the listing, as it does for any run), so units are known present from the
journal and the listing; the other groups are counted as units to create, each with its task
when there is a project; the tasks of present units are counted from the journal (those it
records none for), which is what a v1 run would report too (its ``POST tasks/`` answers
existing tasks alike).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

import attrs
from synapse_client.models import DataUnit

from .._flow import (
    SAFE,
    UNSAFE_BATCH,
    Again,
    Call,
    Failure,
    Flow,
    Pages,
    Parallel,
    Rejection,
    batched,
    bisected,
    drain,
    retry_loop,
)
from .._wire import operations as ops
from ..client._api import ClientApi
from ..errors import ClientError
from ..policy import Decision
from ..sources import FileRef
from ..upload._presigned import FileChangedError
from ._engine import TASK_BATCH, UPLOAD_ERRORS, Prepared
from ._protocol import ProtocolParts, count_new_units
from .results import FailureReason

__all__ = ["V1Protocol"]

logger = logging.getLogger("synapse_ext")


@attrs.frozen(kw_only=True)
class V1Protocol(ProtocolParts):
    """An ingestion's operations over v1 (an :class:`~._protocol.IngestProtocol`)."""

    chunked_threshold: int
    chunk_size: int

    # -- start and what the server holds ---------------------------------------------------
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

    def held(self, todo: Sequence[Prepared]) -> Flow[set[str]]:
        """The checksums of ``todo``'s files the server holds (``verify_checksums``)."""
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
        """Create the tasks the journal does not record yet, in batches, retrying what is safe
        (``POST tasks/`` answers existing tasks alike: idempotent); a dry run counts them."""
        e = self.engine
        if self.dry_run:
            e.tasks_counted(len(e.tasks_needed(unit_ids)))
            return
        if e.project_id is None:
            return
        for chunk in batched(e.tasks_needed(unit_ids), TASK_BATCH):
            op = ops.new_tasks(e.project_id, chunk)
            try:
                answer = yield from retry_loop(op, e.policy, self.uniform, kind=SAFE, label="tasks")
            except ClientError as error:
                e.tasks_failed(chunk, error)
                continue
            e.tasks_created(chunk, len(answer))
            logger.debug("tasks: %d units sent", len(chunk))

    def unit_batch(self, batch: list[Prepared]) -> Flow[None]:
        """Create one batch of units (journaled in flight first), then their tasks; a dry run
        counts them as units to create.

        Errors follow the policy's decision for an unsafe, splittable request (v1
        ``POST data_units/`` is not idempotent): split a rejected batch to isolate bad
        groups, reconcile one that may have been applied (send only groups really missing),
        retry one that was certainly not applied; after ``e.policy.max_attempts`` POSTs the
        groups left are reported.
        """
        if self.dry_run:
            count_new_units(self.engine, len(batch))
            return
        yield from bisected(batch, self._send_units, self._units_rejected)

    def _units_rejected(self, batch: list[Prepared], error: ClientError) -> None:
        self.engine.batch_failed(batch, FailureReason.UNIT_REJECTED, error)

    def _send_units(self, batch: list[Prepared]) -> Flow[Rejection[Prepared, ClientError] | None]:
        """POST ``batch`` until its groups are bound or reported; the groups left if the
        server rejected them as a whole (400/422: bisected by the caller).

        Through the one retry loop (kind: unsafe, splittable): a RETRY resends (the batch was
        certainly not applied: its journal record is abandoned first); the handler reconciles
        a maybe-applied batch by listing and resends only the groups still missing; an answer
        that leaves groups unmatched is reconciled the same way and resent at once; after
        ``e.policy.max_attempts`` POSTs the groups left are reported.
        """
        e = self.engine
        pending = list(batch)
        sent: list[str] = []  # the journal record of the POST whose outcome is still open

        def close_sent() -> None:  # a resend after a RETRY: the last POST was not applied
            if sent:
                e.journal.abandon_batch(sent.pop())

        def reconcile(reason: ClientError | str) -> Flow[Again | None]:
            """List, close the batch's record, bind what was found; resend the rest."""
            if not (yield from self._reconcile()):
                sent.clear()  # stays in flight: the next run lists before sending
                e.batch_failed(pending, FailureReason.UNIT_UNKNOWN, reason)
                return None
            found, pending[:] = e.reconciled(sent.pop(), pending)
            yield from self.tasks(found)
            return Again(reason, wait=isinstance(reason, ClientError)) if pending else None

        def attempt() -> Flow[ClientError | Again | None]:
            close_sent()
            sent.append(e.begin_batch(pending))
            answer = yield Call(ops.new_units([e.unit_create(b) for b in pending]))
            if isinstance(answer, ClientError):
                return answer
            ids, pending[:] = e.batch_created(sent[-1], pending, self._units(answer))
            logger.debug("data-unit batch: %d units created, %d unmatched", len(ids), len(pending))
            yield from self.tasks(ids)
            if not pending:
                sent.clear()  # closed by batch_created
                return None
            return (yield from reconcile("answer incomplete"))

        def handle(failure: Failure) -> Flow[Rejection[Prepared, ClientError] | Again | None]:
            logger.warning(
                "data-unit batch of %d failed (%s): %s", len(pending), failure.decision,
                failure.error,
            )  # fmt: skip
            if failure.decision is Decision.RECONCILE:
                return (yield from reconcile(failure.error))
            close_sent()
            if failure.decision is Decision.SPLIT:
                return list(pending), failure.error
            e.batch_failed(pending, FailureReason.UNIT_REJECTED, failure.error)
            return None

        def exhausted(reason: ClientError | str) -> None:
            close_sent()
            e.batch_failed(pending, FailureReason.UNIT_FAILED, reason)

        if not pending:
            return None
        return (
            yield from retry_loop(
                attempt,
                e.policy,
                self.uniform,
                kind=UNSAFE_BATCH,
                label="data-unit batch",
                handle=handle,
                exhausted=exhausted,
            )
        )

    @staticmethod
    def _units(answer: object) -> list[DataUnit]:
        return answer if isinstance(answer, list) else []
