"""Deterministic identity of a group's content, and of a server data unit.

A group's content id is a SHA-256 over its spec→checksum map, its meta (JSON, sorted keys) and
its group path. It is sent in the unit's meta under :data:`CONTENT_ID_KEY`, so units found on
the server can be matched back to groups after a crash or a lost response. Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CONTENT_ID_KEY", "content_id", "unit_checksums", "unit_content_id"]

CONTENT_ID_KEY = "synapse_dc_content_id"
"""Meta key carrying the content id on units created by this package."""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_id(
    checksums: Mapping[str, str], meta: Mapping[str, Any], groups: Sequence[str] = ()
) -> str:
    """Hex id of (spec→checksum, meta without :data:`CONTENT_ID_KEY`, group path)."""
    body = {
        "files": dict(sorted(checksums.items())),
        "meta": {k: v for k, v in meta.items() if k != CONTENT_ID_KEY},
        "groups": list(groups),
    }
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()[:40]


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None or type(obj).__name__ == "Unset":
        return {}
    if isinstance(obj, Mapping):
        return dict(obj)
    props = getattr(obj, "additional_properties", None)
    return dict(props) if isinstance(props, Mapping) else {}


def unit_content_id(unit: Any) -> str:
    """The content id of a server unit (a generated ``DataUnit`` or a dict).

    Taken from its meta when this package created it; otherwise computed from its files'
    checksums and meta, so units created by other tools with the same content also match.
    """
    meta = _as_dict(_get(unit, "meta"))
    carried = meta.get(CONTENT_ID_KEY)
    if isinstance(carried, str) and carried:
        return carried
    files = _as_dict(_get(unit, "files"))
    checksums = {name: str(_get(f, "checksum")) for name, f in files.items()}
    raw_groups = _get(unit, "groups")
    groups = [str(g) for g in raw_groups] if isinstance(raw_groups, list) else []
    return content_id(checksums, meta, groups)


def unit_checksums(unit: Any) -> dict[str, str]:
    """Spec name → checksum of a server unit's files."""
    return {name: str(_get(f, "checksum")) for name, f in _as_dict(_get(unit, "files")).items()}
