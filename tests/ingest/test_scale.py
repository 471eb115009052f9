"""Memory stays flat as the number of groups grows (windowed input, journal on disk).

The ingestion runs against the fake in-process (respx mode), so traced memory is the client's
plus the fake's, and the fake keeps every file, unit and call it received: it grows with the
input by design. What the fake held at the end is measured by resetting it while tracing (its
state and call log are dropped), and taken off the peak: what is left is the client's.

Contract validation is off here: checking 4,000 identical requests would make this test four
times slower and check nothing new; the same operations are validated by test_ingest_fake.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from mockserver import mock_synapse
from synapse_ext import SynapseClient, upload_data_collection

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _files(root: Path, n: int) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = root / f"f{i:06d}.jpg"
        path.write_bytes(hashlib.md5(str(i).encode()).digest())
        paths.append(path)
    return paths


def _peak(paths: list[Path], journal: Path) -> tuple[int, int]:
    """(the client's peak, what the fake held at the end), in bytes, ingesting ``paths``."""
    with (
        mock_synapse(patch=False) as fake,
        SynapseClient(fake.base_url, fake.token, transport=fake.transport) as client,
    ):
        client.get_collection(1)  # warm up the connection and first-request caches untraced
        data = ({"files": {"image": p}, "meta": {"origin_file_stem": p.stem}} for p in paths)
        tracemalloc.start()
        try:
            result = upload_data_collection(
                client, 1, data, journal=journal, window=500, max_workers=2, api="v1"
            )
            _, peak = tracemalloc.get_traced_memory()
            held, _ = tracemalloc.get_traced_memory()
            units = fake.backend.counts()["data_units"]
            fake.reset()  # drops the fake's files, units and call log
            fake_held = held - tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    assert result.success and result.units_created == units == len(paths)
    return peak - fake_held, fake_held


def _peak_alone(paths: list[Path], journal: Path) -> tuple[int, int]:
    """:func:`_peak` in a fresh interpreter: tracemalloc traces every thread of a process, so
    threads other tests left behind (servers, pools, event loops) would be traced and timed
    too."""
    listing = journal.with_suffix(".paths")
    listing.write_text("\n".join(map(str, paths)))
    done = subprocess.run(
        [sys.executable, "-m", "tests.ingest.test_scale", str(listing), str(journal)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak, held = json.loads(done.stdout.strip().splitlines()[-1])
    return int(peak), int(held)


def test_memory_is_flat_in_the_number_of_groups(tmp_path: Path) -> None:
    paths = _files(tmp_path / "data", 3200)
    small, small_fake = _peak_alone(paths[:800], tmp_path / "small.sqlite3")
    large, large_fake = _peak_alone(paths, tmp_path / "large.sqlite3")
    assert large_fake > 3 * small_fake > 0, (small_fake, large_fake)  # the fake did grow
    # 4x the groups, well under 2x the peak: bounded by the window, not the input.
    assert large < 2 * small, (small, large)


if __name__ == "__main__":  # the child of _peak_alone: paths file, journal
    files = [Path(line) for line in Path(sys.argv[1]).read_text().splitlines()]
    print(json.dumps(_peak(files, Path(sys.argv[2]))))
