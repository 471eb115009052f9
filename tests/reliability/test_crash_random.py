"""SIGKILL the ingesting process at seeded random points; the re-run must end exact.

Reuses the child process and the checks of ``tests/ingest/test_ingest_crash.py``: either the
child kills itself at a random call (hook point and call number drawn from the seed), or this
process kills it at a random moment of its run, whatever it is doing then (the fake's call
log and state at that moment prove the run had started and had not finished).
"""

from __future__ import annotations

import json
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import MockSynapse, mock_synapse
from tests.ingest.conftest import assert_exact, make_dataset, server_state
from tests.ingest.test_ingest_crash import N_GROUPS, _child, _resume_and_check, _run

pytestmark = pytest.mark.slow

POINTS = ("upload_after", "units_before", "units_after", "tasks_after")
LATENCY_MS = 25
"""Added to every answer so a run (about 130 requests, 4 at a time) lasts over a second."""


@pytest.fixture(scope="module")
def http_fake() -> Iterator[MockSynapse]:
    with mock_synapse(mode="server") as fake:
        yield fake


@pytest.fixture
def fake(http_fake: MockSynapse) -> MockSynapse:
    http_fake.reset()
    http_fake.faults.latency_ms = 0  # reset() keeps latency; a test sets it when it needs it
    return http_fake


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_killed_at_a_random_hook(fake: MockSynapse, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    point = rng.choice(POINTS)
    n = rng.randint(1, 6) if point != "upload_after" else rng.randint(1, 40)
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    code, _ = _run(fake.base_url, root, journal, "--die", f"{point}:{n}")
    assert code in (0, -signal.SIGKILL)  # 0 when the drawn call never happens
    _resume_and_check(fake, root, journal, expected)


@pytest.mark.parametrize(("api", "seed"), [("v1", 7), ("v1", 8), ("v2", 9), ("v2", 10)])
def test_killed_after_a_random_delay(
    fake: MockSynapse, tmp_path: Path, api: str, seed: int
) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    fake.faults.latency_ms = LATENCY_MS
    proc = _child(fake.base_url, root, journal, "--batch-size", "7", "--api", api)
    try:
        deadline = time.monotonic() + 60
        while not fake.calls:  # the child is up and talking to the fake: the run has begun
            assert proc.poll() is None, "the child exited before its first request"
            assert time.monotonic() < deadline, "the child sent nothing within 60 s"
            time.sleep(0.005)
        time.sleep(random.Random(seed).uniform(0.05, 1.0))
        calls_at_kill = list(fake.calls)
        state_at_kill = fake.state()
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    fake.faults.latency_ms = 0
    # The kill landed mid-run: the child had started sending and had not finished.
    assert running and proc.returncode == -signal.SIGKILL, "the child finished before the kill"
    assert calls_at_kill, "nothing was sent before the kill"
    assert state_at_kill["counts"]["tasks"] < N_GROUPS, "every task existed: the run was over"
    _resume_and_check(fake, root, journal, expected, "--api", api)


V2_POINTS = {  # point -> how many such requests a run of N_GROUPS makes (at least)
    "v2_storage_after": 60,
    "v2_finalize_after": 1,
    "v2_units_before": 6,
    "v2_units_after": 6,
    "v2_tasks_after": 6,
}


@pytest.mark.parametrize("point", sorted(V2_POINTS))
def test_v2_killed_at_a_random_hook(fake: MockSynapse, tmp_path: Path, point: str) -> None:
    """v2: SIGKILL right around a storage PUT, the finalize, a bulk-create or a tasks
    bulk-create (which one of them drawn from a seed); the re-run (v2) ends exact, storing
    only what the server lacks (small files it holds may be sent again, and are reported so)."""
    n = random.Random(point).randint(1, V2_POINTS[point])
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    code, _ = _run(fake.base_url, root, journal, "--api", "v2", "--die", f"{point}:{n}")
    assert code == -signal.SIGKILL, f"the child was not killed at {point}:{n}"
    _resume_and_check(fake, root, journal, expected, "--api", "v2")


def test_v2_two_processes_at_once_make_one_unit_per_group(
    fake: MockSynapse, tmp_path: Path
) -> None:
    """Two ingestions of one folder started together (separate processes and journals), v2:
    exactly one unit per group and every file once (v1 cannot promise this; v2's idempotent
    bulk-create and content-addressed finalize do)."""
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    fake.faults.latency_ms = LATENCY_MS  # the two runs overlap for more than a second
    procs = [
        _child(fake.base_url, root, tmp_path / f"journal-{i}.sqlite3", "--api", "v2")
        for i in range(2)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in outputs]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert all(r["failed"] == 0 and r["api"] == "v2" for r in results), results
    assert sum(r["units_created"] for r in results) == N_GROUPS
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
