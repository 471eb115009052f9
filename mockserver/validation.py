"""Type-level checks of JSON request bodies, producing DRF-style per-field messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FileRef", "UnitDraft", "as_int", "parse_unit", "type_name"]

MAX_INT64 = 2**63 - 1
UNIT_KEYS = frozenset({"data_collection", "files", "meta", "groups"})
FILE_REF_KEYS = frozenset({"checksum", "path"})
MAX_PATH = 1024


def type_name(value: Any) -> str:
    return {dict: "dict", list: "list", str: "str", bool: "bool", int: "int", float: "float"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def as_int(value: Any) -> int | None:
    """A JSON integer in the int64 range (bools and floats are not integers), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if -MAX_INT64 <= value <= MAX_INT64 else None


@dataclass
class FileRef:
    checksum: str
    path: str | None


@dataclass
class UnitDraft:
    data_collection: int
    files: dict[str, FileRef]
    meta: dict[str, Any] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)


def _parse_files(raw: Any, errors: dict[str, list[str]]) -> dict[str, FileRef]:
    if not isinstance(raw, dict):
        errors["files"] = [f'Expected a dictionary of items but got type "{type_name(raw)}".']
        return {}
    refs: dict[str, FileRef] = {}
    messages: list[str] = []
    for name, ref in raw.items():
        if not isinstance(ref, dict):
            messages.append(f"{name!r}: expected an object with 'checksum', got {type_name(ref)}.")
            continue
        extra = sorted(set(ref) - FILE_REF_KEYS)
        if extra:
            messages.append(f"{name!r}: unknown field(s): {', '.join(extra)}.")
        checksum = ref.get("checksum")
        path = ref.get("path")
        if not isinstance(checksum, str) or not checksum:
            messages.append(f"{name!r}: 'checksum' must be a non-empty string.")
        if path is not None and (not isinstance(path, str) or len(path) > MAX_PATH):
            messages.append(f"{name!r}: 'path' must be a string of at most {MAX_PATH} characters.")
        if isinstance(checksum, str) and checksum and (path is None or isinstance(path, str)):
            refs[name] = FileRef(checksum=checksum, path=path)
    if messages:
        errors["files"] = messages
    return refs


def parse_unit(raw: Any) -> UnitDraft | dict[str, list[str]]:
    """Check one `DataUnitCreate` object's shape; returns a draft or field errors."""
    if not isinstance(raw, dict):
        return {
            "non_field_errors": [f"Invalid data. Expected a dictionary, but got {type_name(raw)}."]
        }
    errors: dict[str, list[str]] = {}
    extra = sorted(set(raw) - UNIT_KEYS)
    if extra:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(extra)}."]
    collection = raw.get("data_collection")
    collection_id = as_int(collection)
    if "data_collection" not in raw:
        errors["data_collection"] = ["This field is required."]
    elif collection_id is None:
        errors["data_collection"] = ["A valid integer is required."]
    files: dict[str, FileRef] = {}
    if "files" not in raw:
        errors["files"] = ["This field is required."]
    else:
        files = _parse_files(raw["files"], errors)
    meta = raw.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        errors["meta"] = [f'Expected a dictionary of items but got type "{type_name(meta)}".']
    groups = raw.get("groups", [])
    if groups is None:
        groups = []
    if not isinstance(groups, list):
        errors["groups"] = [f'Expected a list of items but got type "{type_name(groups)}".']
    elif not all(isinstance(g, str) and g for g in groups):
        errors["groups"] = ["Each group must be a non-empty string."]
    if errors or collection_id is None:
        return errors
    assert isinstance(meta, dict) and isinstance(groups, list)
    return UnitDraft(data_collection=collection_id, files=files, meta=meta, groups=groups)
