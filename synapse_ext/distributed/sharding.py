"""Groups → shards by a stable hash of the group key, with global deduplication.

The hash is BLAKE2b of the key (never Python's ``hash()``, which is salted per process), so
the same group lands in the same shard in every run with the same number of shards, and two
entries with one key always land in the same shard, where the ordinary ingestion merges them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..dataset.organize import OrganizedGroup
from ..ingest.results import FailureReason, GroupInput, IngestFailure, as_group

__all__ = ["ShardPlan", "plan_shards", "shard_of"]


def shard_of(key: str, shards: int) -> int:
    """The shard (``0 <= n < shards``) of a group key: stable across processes and runs."""
    if shards < 1:
        raise ValueError("shards must be >= 1")
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def _fingerprint(group: GroupInput) -> bytes:
    body = json.dumps(
        [group.key, sorted((k, str(v)) for k, v in group.files.items()), group.meta, group.groups],
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(body.encode("utf-8"), digest_size=16).digest()


@attrs.define
class ShardPlan:
    """What the driver decided before submitting anything."""

    shards: list[list[OrganizedGroup]]
    """Groups per shard (some may be empty)."""
    groups: int = 0
    """Every input entry, valid or not."""
    duplicates: int = 0
    """Entries identical to an earlier one (same key, files, meta and groups): sent once."""
    failures: list[IngestFailure] = attrs.Factory(list)
    """Entries that are not groups at all (as the ordinary ingestion reports them)."""


def plan_shards(data: Iterable[Any], shards: int) -> ShardPlan:
    """Normalize, deduplicate and split ``data`` (groups or product-page dicts) into shards.

    Only a 16-byte fingerprint per distinct group is kept for deduplication; the groups
    themselves travel to the shards as paths and meta, never as file content.
    """
    plan = ShardPlan(shards=[[] for _ in range(shards)])
    seen: set[bytes] = set()
    for index, item in enumerate(data):
        plan.groups += 1
        try:
            group = as_group(item, index)
        except (TypeError, ValueError) as exc:
            plan.failures.append(IngestFailure(f"#{index}", FailureReason.INVALID_GROUP, str(exc)))
            continue
        fingerprint = _fingerprint(group)
        if fingerprint in seen:
            plan.duplicates += 1
            continue
        seen.add(fingerprint)
        # Workers have their own working folder: relative paths are made absolute (the
        # driver's); an organized group with absolute paths travels as it is.
        # Source files (``SourcePath``) are URLs: they travel as they are.
        relative = any(
            isinstance(path, Path) and not path.is_absolute() for path in group.files.values()
        )
        if relative or not isinstance(item, OrganizedGroup):
            files = {
                spec: path.absolute() if isinstance(path, Path) else path
                for spec, path in group.files.items()
            }
            item = OrganizedGroup(group.key, files, group.meta, group.groups)
        plan.shards[shard_of(group.key, shards)].append(item)
    return plan
