"""Unit batches and tasks of an ingestion as sans-I/O flows, shared by the sync and async drivers.

Like the chunk engine (``chunking.py``), each flow is a generator that yields what it needs
done (:class:`CreateUnits`, :class:`CreateTasks`, :class:`Reconcile`, :class:`Wait`) and receives
the outcome; the drivers in ``ingest.py`` and ``aingest.py`` only perform that I/O. The retry,
bisect and reconcile rules for unit batches (contract §7) therefore exist once.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from typing import Any

import attrs
from synapse_client.models import DataUnit, DataUnitCreate, Task

from ._ingest_engine import TASK_BATCH, Engine, Prepared, task_retryable
from .batching import BatchAction, batched, classify_unit_batch_error
from .errors import ClientError
from .ingest_types import FailureReason

__all__ = [
    "CreateTasks",
    "CreateUnits",
    "Reconcile",
    "UnitFlow",
    "UnitIntent",
    "Wait",
    "task_flow",
    "unit_batch_flow",
]

logger = logging.getLogger("synapse_ext")


@attrs.frozen
class CreateUnits:
    """POST these units; answer: ``list[DataUnit]`` or the ``ClientError``."""

    units: list[DataUnitCreate]


@attrs.frozen
class CreateTasks:
    """POST tasks for these units in the engine's project; answer: ``list[Task]`` or the error."""

    unit_ids: list[int]


@attrs.frozen
class Reconcile:
    """List the collection's units into the journal; answer: False if the server failed."""


@attrs.frozen
class Wait:
    """Sleep ``seconds`` before the next attempt; answer: None."""

    seconds: float


UnitIntent = CreateUnits | CreateTasks | Reconcile | Wait
UnitFlow = Generator[UnitIntent, Any, None]


def task_flow(e: Engine, unit_ids: Sequence[int]) -> UnitFlow:
    """Create the tasks the journal does not record yet, in batches, retrying what is safe."""
    for chunk in batched(e.tasks_needed(unit_ids), TASK_BATCH):
        error: ClientError | None = None
        for attempt in range(e.policy.max_attempts):
            answer: list[Task] | ClientError = yield CreateTasks(chunk)
            if not isinstance(answer, ClientError):
                e.tasks_created(chunk, len(answer))
                error = None
                break
            error = answer
            if not task_retryable(error):
                break
            yield Wait(e.policy.delay(attempt, error))
        if error is not None:
            e.tasks_failed(chunk, error)


def unit_batch_flow(e: Engine, batch: list[Prepared]) -> UnitFlow:
    """Create one batch of units (journaled in flight first), then their tasks.

    Errors follow ``classify_unit_batch_error``: split a rejected batch to isolate bad groups,
    reconcile one that may have been applied (send only groups really missing), retry one that
    was certainly not applied, and report what is left after ``e.policy.max_attempts``.
    """
    attempt = 0
    while batch:
        batch_id = e.begin_batch(batch)
        answer: list[DataUnit] | ClientError = yield CreateUnits([e.unit_create(b) for b in batch])
        if isinstance(answer, ClientError):
            action = classify_unit_batch_error(answer)
            logger.warning("data-unit batch of %d failed (%s): %s", len(batch), action, answer)
            if action is BatchAction.SPLIT and len(batch) > 1:
                e.journal.abandon_batch(batch_id)
                half = len(batch) // 2
                yield from unit_batch_flow(e, batch[:half])
                yield from unit_batch_flow(e, batch[half:])
                return
            if action in (BatchAction.SPLIT, BatchAction.FAIL):
                e.journal.abandon_batch(batch_id)
                e.batch_failed(batch, FailureReason.UNIT_REJECTED, answer)
                return
            if action is BatchAction.RECONCILE:
                if not (yield Reconcile()):
                    e.batch_failed(batch, FailureReason.UNIT_UNKNOWN, answer)
                    return
                found, batch = e.reconciled(batch)
                yield from task_flow(e, found)
            else:
                e.journal.abandon_batch(batch_id)
            attempt += 1
            if batch and attempt >= e.policy.max_attempts:
                e.batch_failed(batch, FailureReason.UNIT_FAILED, answer)
                return
            if batch:
                yield Wait(e.policy.delay(attempt - 1, answer))
            continue
        ids, unmatched = e.batch_created(batch_id, batch, answer)
        yield from task_flow(e, ids)
        if not unmatched:
            return
        if not (yield Reconcile()):
            e.batch_failed(unmatched, FailureReason.UNIT_UNKNOWN, "answer incomplete")
            return
        found, batch = e.reconciled(unmatched)
        yield from task_flow(e, found)
        attempt += 1
        if batch and attempt >= e.policy.max_attempts:
            e.batch_failed(batch, FailureReason.UNIT_FAILED, "answer incomplete")
            return
