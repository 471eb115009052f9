"""Dry runs (pure flows): the ingestion's own window pipeline with nothing stored.

Files are hashed and looked up exactly as in a real run (the journal keeps only what it
caches for any run: MD5s and, on v1, the collection's listing), so the counts say what a run
*would* do: ``files_uploaded``/``bytes_sent`` are the files the server lacks,
``units_created`` the units it would make, ``units_already_present`` those it holds.

* v2: groups whose files the server holds all go through ``bulk-create?dry_run=true``, which
  validates them and says which units exist; groups with a file still to upload cannot be
  checked by the server (their files are unknown to it) and count as new;
* v1 has no dry run on the server: units are known present from the journal and the listing.

With a project, ``tasks_created`` counts the tasks a run would create: one per unit to
create, and for units already present, over v2 those the server's ``tasks/bulk-create?
dry_run=true`` says are missing; over v1 (no such check) those the journal records no task for,
which is what a v1 run would report too (its ``POST tasks/`` answers existing tasks alike).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import ClassVar

import attrs
from synapse_client.models import DataUnitV2BulkCreateResult

from .._flow import Flow, Rejection, bisected
from ..client._api import ClientApi
from ..errors import ClientError
from ..sources import FileRef
from ._engine import Prepared
from ._flows import IngestRun
from ._flows_v2 import IngestRunV2
from .results import FailureReason

__all__ = ["PreviewRun", "PreviewRunV2"]

logger = logging.getLogger("synapse_ext")


def _would_upload(run: IngestRun, plan: dict[str, tuple[FileRef, int]]) -> dict[str, str]:
    for checksum, (_, size) in plan.items():
        run.engine.uploaded(checksum, size)
    return {}


def _would_create(run: IngestRun, batch: Sequence[Prepared]) -> None:
    run.engine.units_made(len(batch))
    if run.engine.project_id is not None:  # a new unit gets its task
        run.engine.tasks_counted(len(batch))


@attrs.frozen
class PreviewRun(IngestRun):
    """A v1 dry run: uploads and unit batches are counted, never sent."""

    def upload(self, plan: dict[str, tuple[FileRef, int]]) -> Flow[dict[str, str]]:
        """Count the files the server lacks as files to upload."""
        return _would_upload(self, plan)
        yield  # a flow

    def unit_batch(self, batch: list[Prepared]) -> Flow[None]:
        """Count the groups neither the journal nor the listing knows as units to create."""
        _would_create(self, batch)
        return
        yield  # a flow

    def tasks(self, unit_ids: Sequence[int]) -> Flow[None]:
        """Count the tasks of present units the journal records none for (nothing is sent)."""
        e = self.engine
        e.tasks_counted(len(e.tasks_needed(unit_ids)))
        return
        yield  # a flow


@attrs.frozen
class PreviewRunV2(IngestRunV2):
    """A v2 dry run: the server's ``dry_run`` checks the units whose files it holds."""

    dry_run: ClassVar[bool] = True

    to_upload: set[str] = attrs.field(factory=set)

    def _held(self, todo: Sequence[Prepared]) -> Flow[set[str]]:
        """Every file is looked up: a dry run uploads nothing, so finalize cannot tell."""
        return self._verify(self.engine.needed_checksums(todo))

    def upload(self, plan: dict[str, tuple[FileRef, int]]) -> Flow[dict[str, str]]:
        """Count the files the server lacks; remember them (their units cannot be checked)."""
        self.to_upload.update(plan)
        return _would_upload(self, plan)
        yield  # a flow

    def unit_batch(self, batch: list[Prepared]) -> Flow[None]:
        """``bulk-create?dry_run=true`` for the groups whose files are all on the server."""
        held = [b for b in batch if not self.to_upload.intersection(b.checksums.values())]
        _would_create(self, [b for b in batch if b not in held])
        if held:
            yield from bisected(held, self._check, self._units_rejected)

    def _check(self, batch: list[Prepared]) -> Flow[Rejection[Prepared, ClientError] | None]:
        e = self.engine
        try:
            answer: DataUnitV2BulkCreateResult = yield from ClientApi.bulk_create_units.flow(
                self.client, e.collection_id, self._items(batch), dry_run=True
            )
        except ClientError as exc:
            if exc.status_code in (400, 422):
                return batch, exc
            e.batch_failed(batch, FailureReason.UNIT_FAILED, exc)
            return None
        created = sum(1 for r in answer.results if r.created)
        e.units_made(created, present=len(answer.results) - created)
        if e.project_id is not None:
            e.tasks_counted(created)  # a new unit gets its task
            yield from self.tasks([r.data_unit_id for r in answer.results if not r.created])
        return None
