"""Memory stays flat as the number of groups grows (windowed input, journal on disk)."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from synapse_client.models import DataCollection, DataUnit, DataUnitCreate

from synapse_ext.ingest import upload_data_collection


class _StubClient:
    """Just enough of SynapseClient: every file exists, units are echoed back."""

    base_url = "https://stub.invalid"

    def __init__(self) -> None:
        self.next_id = 0
        self.units_created = 0

    def get_collection(self, collection_id: int, *, with_specifications: bool = True) -> Any:
        spec = {"id": 1, "name": "image", "file_type": "image", "is_required": True,
                "is_primary": True}  # fmt: skip
        return DataCollection.from_dict({"id": 1, "name": "c", "file_specifications": [spec]})

    def iter_data_units(self, **_: Any) -> Iterator[Any]:
        return iter(())

    def verify_checksums(self, checksums: Iterable[str]) -> set[str]:
        return set(checksums)

    def create_data_units(self, units: Sequence[DataUnitCreate]) -> list[DataUnit]:
        out = []
        for unit in units:
            self.next_id += 1
            body = unit.to_dict()
            files = {
                k: {"checksum": v["checksum"], "url": "u", "file_type": "image", "is_primary": True}
                for k, v in body["files"].items()
            }
            out.append(DataUnit.from_dict({"id": self.next_id, "data_collection": 1,
                                           "files": files, "meta": body["meta"]}))  # fmt: skip
        self.units_created += len(out)
        return out


def _files(root: Path, n: int) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = root / f"f{i:06d}.jpg"
        path.write_bytes(hashlib.md5(str(i).encode()).digest())
        paths.append(path)
    return paths


def _peak(paths: list[Path], journal: Path) -> int:
    stub = _StubClient()
    data = ({"files": {"image": p}, "meta": {"origin_file_stem": p.stem}} for p in paths)
    tracemalloc.start()
    try:
        result = upload_data_collection(stub, 1, data, journal=journal, window=500, max_workers=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.success and result.units_created == stub.units_created == len(paths)
    return peak


def test_memory_is_flat_in_the_number_of_groups(tmp_path: Path) -> None:
    paths = _files(tmp_path / "data", 3200)
    small = _peak(paths[:800], tmp_path / "small.sqlite3")
    large = _peak(paths, tmp_path / "large.sqlite3")
    # 4x the groups, well under 2x the peak: bounded by the window, not the input.
    assert large < 2 * small, (small, large)
