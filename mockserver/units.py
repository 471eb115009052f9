"""A data unit's own checksum: what makes two units "the same file set"."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

__all__ = ["UnitChecksum", "unit_checksum"]

UnitChecksum = tuple[str, int, str]
"""(tenant, data collection, unit checksum): the key v2 bulk-create is idempotent on."""


def unit_checksum(files: Mapping[str, str]) -> str:
    """SHA-1 over the sorted ``spec:checksum`` lines of a unit's files (spec name → checksum).

    The real derivation is unconfirmed; this one makes the same files under the same specs
    one unit whatever their order, paths, meta or groups (docs/decisions.md).
    """
    lines = "\n".join(f"{name}:{checksum}" for name, checksum in sorted(files.items()))
    return hashlib.sha1(lines.encode("utf-8")).hexdigest()
