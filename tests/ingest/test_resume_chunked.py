"""A chunked upload interrupted in one run is resumed (not restarted) by the next run.

Both transports (the shared ``fake``); the SIGKILL case runs the fake over HTTP.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest

from mockserver import MockSynapse, mock_synapse
from synapse_ext import (
    AsyncSynapseClient,
    FailureReason,
    FileKey,
    Journal,
    RetryPolicy,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)
from synapse_ext.ingest import journal_scope

from .conftest import assert_exact, make_dataset

pytestmark = pytest.mark.slow

KiB = 1024
C = 64 * KiB  # chunk size
BIG = 5 * C + 1234  # the only file above the threshold
THRESHOLD = 100 * KiB
K = 3  # chunks stored before the failure: create + 2 uploadChunk calls
FAST = RetryPolicy(max_attempts=2, base=0.0, cap=0.0, retry_after_cap=0.0)
FAST_UNITS = RetryPolicy(max_attempts=3, base=0.001, retry_after_cap=0.01)


def _dataset(root: Path, n: int = 4) -> tuple[Path, dict[str, dict[str, str]]]:
    """``n`` small groups, then group g00000's image replaced by a big (chunked) file."""
    expected = make_dataset(root, n)
    big = root / "image" / "g00000.jpg"
    big.write_bytes(os.urandom(BIG))
    expected["g00000"]["image"] = hashlib.md5(big.read_bytes()).hexdigest()
    return big, expected


def _fail_chunks_after_the_second(fake: MockSynapse) -> None:
    # Scripted faults are consumed in order: two pass-through calls, then 503 for every chunk.
    fake.faults.slow("uploadChunk", delay_ms=0, times=2)
    fake.faults.script("uploadChunk", status=503, times=10_000)


def _uploads(journal: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(journal)
    try:
        return db.execute("SELECT path, size, upload_id FROM chunked_uploads").fetchall()
    finally:
        db.close()


def _ingest(kind: str, fake: MockSynapse, root: Path, journal: Path) -> Any:
    kw: dict[str, Any] = {
        "project_id": 1,
        "journal": journal,
        "unit_retry": FAST_UNITS,
        "chunked_threshold": THRESHOLD,
        "chunk_size": C,
        "max_workers": 3,
    }
    if kind == "sync":
        with SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=FAST) as c:
            return upload_data_collection(c, 1, organize(root, c.get_collection(1)), api="v1", **kw)

    async def run() -> Any:
        async with AsyncSynapseClient(
            fake.base_url, fake.token, transport=fake.transport, retry=FAST
        ) as ac:
            groups = organize(root, await ac.get_collection(1))
            return await aupload_data_collection(ac, 1, groups, api="v1", **kw)

    return anyio.run(run)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_failed_run_then_rerun_sends_only_the_rest(
    kind: str, fake: MockSynapse, tmp_path: Path
) -> None:
    root, journal = tmp_path / "data", tmp_path / "j.sqlite3"
    big, expected = _dataset(root)
    _fail_chunks_after_the_second(fake)
    first = _ingest(kind, fake, root, journal)
    assert [f.reason for f in first.failures] == [FailureReason.UPLOAD_FAILED]
    rows = _uploads(journal)
    assert [(p, s) for p, s, _ in rows] == [(str(big.resolve()), BIG)]  # id kept for next run

    fake.faults.clear()
    before = fake.backend.bytes_received
    second = _ingest(kind, fake, root, journal)
    assert second.success, second.failures
    assert fake.backend.bytes_received - before == BIG - K * C  # only that file's rest
    assert fake.call_count("createChunkedUpload") == 1  # the same upload, continued
    assert_exact(fake, expected)
    assert _uploads(journal) == []  # the data file exists: entry removed


def test_changed_file_is_not_resumed(fake: MockSynapse, tmp_path: Path) -> None:
    root, journal = tmp_path / "data", tmp_path / "j.sqlite3"
    big, expected = _dataset(root)
    _fail_chunks_after_the_second(fake)
    _ingest("sync", fake, root, journal)
    fake.faults.clear()
    big.write_bytes(os.urandom(BIG))  # same size, other content, new mtime
    os.utime(big, ns=(10**18, 10**18))
    expected["g00000"]["image"] = hashlib.md5(big.read_bytes()).hexdigest()
    before = fake.backend.bytes_received
    second = _ingest("sync", fake, root, journal)
    assert second.success, second.failures
    assert fake.backend.bytes_received - before == BIG  # started over
    assert fake.call_count("createChunkedUpload") == 2
    assert _uploads(journal) == []


def test_journal_uploads_keyed_by_scope_path_size_mtime(tmp_path: Path) -> None:
    f = tmp_path / "a.bin"
    f.write_bytes(b"x" * 10)
    key = FileKey.of(f)
    with Journal(tmp_path / "j.sqlite3") as j:
        s1, s2 = journal_scope("h", 1), journal_scope("h", 2)
        j.resume_store(s1).save(key, "u1")
        assert j.resume_store(s1).load(key) == "u1"
        assert j.resume_store(s2).load(key) is None  # another collection
        moved = FileKey(key.path, key.size, key.mtime_ns + 1)
        assert j.resume_store(s1).load(moved) is None  # touched: never resumed
        j.resume_store(s1).save(moved, "u2")  # replaces the entry of that path
        assert j.resume_store(s1).load(key) is None
        j.forget(s1)
        assert j.resume_store(s1).load(moved) is None


# -- SIGKILL mid-file (the ingestion runs in a child process) ------------------------------


def test_sigkill_mid_file_then_rerun_resumes(tmp_path: Path) -> None:
    from .test_ingest_crash import _run

    root, journal = tmp_path / "data", tmp_path / "j.sqlite3"
    _, expected = _dataset(root, n=1)
    (root / "metadata" / "g00000.txt").unlink()  # one group, one file: the big image
    del expected["g00000"]["metadata"]
    sizes = ("--chunked-threshold", str(THRESHOLD), "--chunk-size", str(C))
    with mock_synapse(mode="server") as fake:
        code, _ = _run(fake.base_url, root, journal, "--die", f"chunk_after:{K}", *sizes)
        assert code == -signal.SIGKILL
        assert fake.backend.bytes_received == K * C
        assert len(_uploads(journal)) == 1
        code, result = _run(fake.base_url, root, journal, *sizes)
        assert code == 0 and result is not None and result["failed"] == 0, result
        assert fake.backend.bytes_received == BIG  # K chunks before, the rest now
        assert fake.call_count("createChunkedUpload") == 1
        assert_exact(fake, expected)
    assert _uploads(journal) == []
