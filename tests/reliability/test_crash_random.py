"""SIGKILL the ingesting process at seeded random points; the re-run must end exact.

Reuses the child process and the checks of ``tests/ingest/test_ingest_crash.py``: either the
child kills itself at a random call (hook point and call number drawn from the seed), or this
process kills it at a random moment of its run, whatever it is doing then (the fake's call
log and state at that moment prove the run had started and had not finished).
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import MockSynapse, mock_synapse
from tests.ingest.conftest import make_dataset
from tests.ingest.test_ingest_crash import N_GROUPS, _child, _resume_and_check, _run

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


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_killed_after_a_random_delay(fake: MockSynapse, tmp_path: Path, seed: int) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    fake.faults.latency_ms = LATENCY_MS
    proc = _child(fake.base_url, root, journal, "--batch-size", "7")
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
    _resume_and_check(fake, root, journal, expected)
