"""SIGKILL the ingesting process at several points; the re-run must end exact.

The fake runs over real HTTP in this process; the ingestion runs in a child process
(``_child.py``) that kills itself at a chosen call, or is killed from here while a unit batch's
response is in flight after the server committed it (the fake's ``slow`` fault answers late).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse, mock_synapse
from tests.fixtures import settle

from .conftest import assert_exact, dataset_bytes, make_dataset, server_state

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("_child.py")
N_GROUPS = 60


def _env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    return env


def _child(url: str, root: Path, journal: Path, *extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(CHILD), url, str(root), str(journal), *extra]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    )


def _run(url: str, root: Path, journal: Path, *extra: str) -> tuple[int, dict[str, Any] | None]:
    proc = _child(url, root, journal, *extra)
    out, _err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        return proc.returncode, None
    return 0, json.loads(out.strip().splitlines()[-1])


def _missing_bytes(fake: MockSynapse, root: Path) -> int:
    held = {f["checksum"] for f in server_state(fake)["data_files"]}
    return sum(size for md5, size in dataset_bytes(root).items() if md5 not in held)


def _held_bytes(fake: MockSynapse, root: Path) -> int:
    held = {f["checksum"] for f in server_state(fake)["data_files"]}
    return sum(size for md5, size in dataset_bytes(root).items() if md5 in held)


FILE_REQUESTS = ("createDataFile", "storagePutObject")
"""The requests that carry one whole file's content (v1 direct upload, v2/presigned PUT)."""


def _resume_and_check(
    fake: MockSynapse, root: Path, journal: Path, expected: Any, *extra: str
) -> dict[str, Any]:
    """Re-run: exact result; the server stores only the content it lacked, and the report
    says what crossed the network.

    ``bytes_sent`` counts every byte of file content sent, resent bytes included: over v2 a
    small file is PUT without a lookup, so a content the killed run stored but whose unit the
    journal does not record as done is sent again (``bytes_resent``) and the finalize answers
    with the data file the server holds (nothing stored twice).
    """
    settle(fake)  # requests the killed child had already sent are still handled (committed)
    must_send = _missing_bytes(fake, root)
    held = _held_bytes(fake, root)
    before = fake.backend.bytes_received
    calls_before = len(fake.calls)
    code, result = _run(fake.base_url, root, journal, *extra)
    assert code == 0 and result is not None
    assert result["failed"] == 0, result
    calls = fake.calls[calls_before:]
    # stored: exactly the content the server lacked
    assert fake.backend.bytes_received - before == must_send
    # reported: that content, plus the held content sent again (never more than was held)
    assert result["bytes_sent"] == must_send + result["bytes_resent"], result
    assert result["bytes_resent"] <= held, (result, held)
    # on the wire: one request per file counted, and the storage PUTs carried bytes_sent
    file_requests = [c for c in calls if c.operation_id in FILE_REQUESTS]
    assert len(file_requests) == result["files_uploaded"] + result["files_resent"], result
    puts = [c for c in calls if c.operation_id == "storagePutObject"]
    if puts:
        assert sum(c.body_bytes for c in puts) == result["bytes_sent"], result
    assert_exact(fake, expected)
    # and once more: nothing left to do, nothing sent
    before = fake.backend.bytes_received
    code, again = _run(fake.base_url, root, journal, *extra)
    assert code == 0 and again is not None
    assert again["units_already_present"] == len(expected) and again["bytes_sent"] == 0
    assert fake.backend.bytes_received == before
    assert_exact(fake, expected)
    return result


@pytest.fixture(scope="module")
def http_fake() -> Iterator[MockSynapse]:
    """One fake over HTTP for the module (the child processes need a socket)."""
    with mock_synapse(mode="server") as fake:
        yield fake


@pytest.fixture
def fake(http_fake: MockSynapse) -> MockSynapse:
    http_fake.reset()
    return http_fake


@pytest.mark.parametrize(
    "die",
    [
        "upload_after:7",  # killed between uploads: some files stored, no unit yet
        "units_before:2",  # batch recorded in flight, never sent
        "units_after:1",  # batch committed and answered, the answer never recorded
        "units_after:4",
        "tasks_after:2",  # units done, tasks partly created
    ],
)
def test_sigkill_then_rerun_is_exact(fake: MockSynapse, tmp_path: Path, die: str) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    code, _ = _run(fake.base_url, root, journal, "--die", die)
    assert code == -signal.SIGKILL
    _resume_and_check(fake, root, journal, expected)


def test_killed_while_committed_batch_response_in_flight(fake: MockSynapse, tmp_path: Path) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS)
    journal = tmp_path / "journal.sqlite3"
    # The first unit batch is handled and committed at once, then answered 3 s later.
    fake.faults.slow("createDataUnits", delay_ms=3_000, times=1)
    proc = _child(fake.base_url, root, journal)
    try:
        deadline = time.monotonic() + 60
        while fake.backend.counts()["data_units"] == 0:  # the slow batch has committed
            assert proc.poll() is None, "the child finished before the slow batch committed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    # Other batch flows ran beside the slow one: what the server holds once it is idle.
    settle(fake)
    committed = fake.backend.counts()["data_units"]
    assert committed > 0
    db = sqlite3.connect(journal)  # the slow batch (and any other unanswered) is in flight
    try:
        assert db.execute("SELECT COUNT(*) FROM batches").fetchone()[0] >= 1
    finally:
        db.close()
    fake.faults.clear()
    result = _resume_and_check(fake, root, journal, expected)
    assert result["units_created"] == N_GROUPS - committed
