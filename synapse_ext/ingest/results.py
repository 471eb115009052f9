"""Values of the ingestion layer: its input groups and its result. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs

from .._flow.concurrency import ConcurrencyStats
from ..dataset.organize import OrganizedGroup, split_name
from ..sources import FileRef, as_file_ref

__all__ = [
    "FailureReason",
    "GroupInput",
    "GroupLike",
    "IngestFailure",
    "IngestResult",
    "as_group",
]

GroupLike = OrganizedGroup | Mapping[str, object]
"""An ``OrganizedGroup``, or the product page's ``{'files': {spec: path}, 'meta': {...}}``
(a path is a local path or a :class:`~synapse_ext.sources.SourcePath`)."""


class FailureReason(StrEnum):
    """Why a group did not end up as a data unit (or without its task)."""

    INVALID_GROUP = "invalid_group"
    """Unknown spec name, missing required spec, or an unusable entry."""
    UNREADABLE = "unreadable"
    EMPTY_FILE = "empty_file"
    VERIFY_FAILED = "verify_failed"
    UPLOAD_FAILED = "upload_failed"
    UNIT_REJECTED = "unit_rejected"
    """The server rejected the unit (4xx); nothing was created."""
    UNIT_FAILED = "unit_failed"
    """The batch kept failing (5xx, connection); reconciled: the unit does not exist."""
    UNIT_UNKNOWN = "unit_outcome_unknown"
    """The batch may have been applied and the server could not be asked; the next run
    reconciles it from the journal before sending anything."""
    TASK_FAILED = "task_failed"
    SHARD_FAILED = "shard_failed"
    """A distributed run's shard did not finish (its executor gave up on it); re-run."""


@attrs.frozen
class IngestFailure:
    """One group that failed, and why."""

    group: str
    reason: FailureReason
    message: str


@attrs.define
class IngestResult:
    """What an ingestion did. ``partial_failure`` is True when any group failed.

    File counts are of distinct contents (checksums) per window of groups, each counted once
    as uploaded or as already present, so the same server state reads the same whether the
    journal or the server tells (a content shared by groups of two windows counts in each).
    """

    groups: int = 0
    files_uploaded: int = 0
    """Contents the server did not hold and this run stored (new data files)."""
    files_already_present: int = 0
    """Contents the server already held: files of units the journal records as done, files
    a checksum lookup found, and files whose upload the server answered with the data file it
    had (v2 finalize ``created=false``; those are also counted in ``files_resent``)."""
    files_resent: int = 0
    """Of ``files_already_present``, those whose bytes were sent anyway: over v2, local files
    of at most ``lookup_threshold`` bytes go without a lookup, so on a re-run without the
    journal they are PUT again and finalize reuses the held data file. Always 0 over v1
    (its batch lookup precedes every upload) and with a journal that knows the units."""
    bytes_sent: int = 0
    """Bytes of file content sent to the server or storage: of ``files_uploaded`` and of
    ``files_resent`` (those bytes crossed the network too)."""
    bytes_resent: int = 0
    """Of ``bytes_sent``, the bytes of ``files_resent``."""
    units_created: int = 0
    units_already_present: int = 0
    tasks_created: int = 0
    """Tasks created (v1: tasks its ``POST tasks/`` answered, existing ones included); in a
    dry run, the tasks a run would create (see ``dry_run``)."""
    failures: list[IngestFailure] = attrs.Factory(list)
    api: str = "v1"
    """The API the ingestion spoke: ``"v1"`` or ``"v2"`` (``api="auto"`` picks v2 when the
    server offers it)."""
    dry_run: bool = False
    """True for a dry run: the counts say what a run would do; nothing was stored."""
    elapsed_s: float = 0.0
    """Wall-clock seconds the ingestion took, from its first request to its last."""
    concurrency: ConcurrencyStats | None = None
    """What the adaptive concurrency of the uploads did (start, peak, final limit, ceiling,
    decreases); ``None`` with ``adaptive=False`` (or a sharded run)."""

    @property
    def failed(self) -> int:
        """Number of failed groups."""
        return len(self.failures)

    @property
    def partial_failure(self) -> bool:
        """True when at least one group failed (the rest may have succeeded)."""
        return bool(self.failures)

    @property
    def success(self) -> bool:
        """True when every group is a data unit (with its task, if a project was given)."""
        return not self.failures

    def merge(self, other: IngestResult) -> None:
        """Add ``other``'s counts and failures to this result (shards of one run; the
        elapsed time is the whole run's, not added)."""
        self.groups += other.groups
        self.files_uploaded += other.files_uploaded
        self.files_already_present += other.files_already_present
        self.files_resent += other.files_resent
        self.bytes_sent += other.bytes_sent
        self.bytes_resent += other.bytes_resent
        self.units_created += other.units_created
        self.units_already_present += other.units_already_present
        self.tasks_created += other.tasks_created
        self.failures.extend(other.failures)

    def to_dict(self) -> dict[str, object]:
        """Counts, ``partial_failure`` and the failures as plain data."""
        out = attrs.asdict(self, recurse=False, filter=lambda a, _: a.name != "failures")
        out.update(
            failed=self.failed,
            success=self.success,
            partial_failure=self.partial_failure,
            concurrency=attrs.asdict(self.concurrency) if self.concurrency else None,
            failures=[
                {"group": f.group, "reason": str(f.reason), "message": f.message}
                for f in self.failures
            ],
        )
        return out


@attrs.frozen
class GroupInput:
    """A group normalized for ingestion: JSON-clean meta, groups as a list of strings."""

    key: str
    files: dict[str, FileRef]
    meta: dict[str, Any]
    groups: tuple[str, ...]


def _json_clean(meta: Mapping[str, Any]) -> dict[str, Any]:
    # What is hashed must be exactly what the server stores: round-trip through JSON.
    clean: dict[str, Any] = json.loads(json.dumps(dict(meta), default=str, ensure_ascii=False))
    return clean


def as_group(item: Any, index: int) -> GroupInput:
    """Normalize an ``OrganizedGroup`` or a product-page dict ``{'files', 'meta', 'groups'?}``."""
    if isinstance(item, OrganizedGroup):
        files = dict(item.files)
        meta: Mapping[str, object] = item.meta
        raw_groups: Any = list(item.groups)
        key: str | None = item.key
    elif isinstance(item, Mapping):
        raw_files = item.get("files")
        if not isinstance(raw_files, Mapping) or not raw_files:
            raise ValueError(f"group #{index} has no 'files' mapping")
        files = {str(k): as_file_ref(v) for k, v in raw_files.items()}
        meta = item.get("meta") or {}
        raw_groups = item.get("groups") or []
        key = None
    else:
        raise TypeError(f"group #{index}: expected an OrganizedGroup or a dict, got {type(item)}")
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]  # a bare string would become one group per character
    if key is None:
        stem = meta.get("data_unit_key") or meta.get("origin_file_stem")
        key = str(stem) if stem else split_name(next(iter(files.values())).name)[0]
    return GroupInput(
        key=key,
        files=files,
        meta=_json_clean(meta),
        groups=tuple(str(g) for g in raw_groups),
    )
