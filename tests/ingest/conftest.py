"""Ingestion tests: a dataset on disk, an exactness check on the fake, a fast retry policy.

The fake and the clients are the shared ones (tests/fixtures.py, both transports); here the
clients retry fast (``client_options``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from synapse_ext import RetryPolicy

FAST = RetryPolicy(max_attempts=6, base=0.001, cap=0.01, retry_after_cap=0.01)
SPECS_OF_COLLECTION_1 = ("image", "annotation", "metadata")


def make_dataset(root: Path, n: int, *, size: int = 700) -> dict[str, dict[str, str]]:
    """``n`` groups under ``root`` (collection 1's layout); returns key → spec → md5.

    Every group has an image; two in three have an annotation (every tenth annotation has the
    same content as another, so files are shared across groups); one in four has metadata.
    """
    expected: dict[str, dict[str, str]] = {}
    for spec in SPECS_OF_COLLECTION_1:
        (root / spec).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        key = f"g{i:05d}"
        files = {"image": (root / "image" / f"{key}.jpg", f"image {i} ".encode() * (size // 8))}
        if i % 3:
            body = b'{"shared": true}' if i % 10 == 1 else f'{{"n": {i}}}'.encode()
            files["annotation"] = (root / "annotation" / f"{key}.json", body)
        if i % 4 == 0:
            files["metadata"] = (root / "metadata" / f"{key}.txt", f"meta {i}".encode())
        for path, body in files.values():
            path.write_bytes(body)
        expected[key] = {s: hashlib.md5(b).hexdigest() for s, (_, b) in files.items()}
    return expected


def dataset_bytes(root: Path) -> dict[str, int]:
    """md5 → size of every distinct file content under ``root``."""
    out: dict[str, int] = {}
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            out[hashlib.md5(data).hexdigest()] = len(data)
    return out


def server_state(handle: Any) -> dict[str, Any]:
    state: dict[str, Any] = handle.state()
    return state


def assert_exact(handle: Any, expected: dict[str, dict[str, str]], *, project: int = 1) -> None:
    """One unit per group in collection 1, bound to exactly its own files; one task each."""
    state = server_state(handle)
    checksum_of = {f["id"]: f["checksum"] for f in state["data_files"]}
    units = [u for u in state["data_units"] if u["data_collection"] == 1]
    keys = Counter(u["meta"]["origin_file_stem"] for u in units)
    duplicates = {k: c for k, c in keys.items() if c > 1}
    assert not duplicates, f"duplicate units: {duplicates}"
    assert set(keys) == set(expected), "units missing or unexpected"
    for unit in units:
        got = {spec: checksum_of[fid] for spec, fid in unit["files"].items()}
        assert got == expected[unit["meta"]["origin_file_stem"]], unit
    tasks = Counter(t["data_unit"] for t in state["tasks"] if t["project"] == project)
    assert set(tasks) == {u["id"] for u in units}
    assert max(tasks.values()) == 1


@pytest.fixture
def client_options() -> dict[str, Any]:
    return {"retry": FAST}


@pytest.fixture
def dataset(tmp_path: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    root = tmp_path / "data"
    return root, make_dataset(root, 120)
