"""SIGKILL the ingesting process at seeded random points; the re-run must end exact.

Reuses the child process and the checks of ``tests/ingest/test_ingest_crash.py``: either the
child kills itself at a random call (hook point and call number drawn from the seed), or this
process kills it after a random delay, whatever it is doing then.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.conftest import make_dataset
from tests.ingest.test_ingest_crash import N_GROUPS, _child, _resume_and_check, _run

mockserver = pytest.importorskip("mockserver")

POINTS = ("upload_after", "units_before", "units_after", "tasks_after")


@pytest.fixture(scope="module")
def http_fake() -> Any:
    with mockserver.mock_synapse_server() as fake:
        yield fake


@pytest.fixture
def fake(http_fake: Any) -> Any:
    http_fake.reset()
    return http_fake


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_killed_at_a_random_hook(fake: Any, tmp_path: Path, seed: int) -> None:
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
def test_killed_after_a_random_delay(fake: Any, tmp_path: Path, seed: int) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    # Slow the fake a little so the run lasts long enough to be cut anywhere.
    fake.faults.latency_ms = 5
    proc = _child(fake.base_url, root, journal, "--batch-size", "7")
    try:
        time.sleep(random.Random(seed).uniform(0.3, 2.0))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    fake.faults.latency_ms = 0
    _resume_and_check(fake, root, journal, expected)
