"""The chunk engine: plan, Content-Range, resume, lost finalize, bounded memory."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path

import httpx
import pytest

from synapse_ext import ProtocolError, RetryPolicy, SynapseClient, chunk_plan, content_range

from .chunk_engine_harness import Put, Read, chunked_upload_flow
from .fakes import BASE, TOKEN, FakeBackend, StreamingTransport

GiB = 1024**3
MiB = 1024**2


def test_content_range_beyond_4_gib() -> None:
    total = 5 * GiB + 3
    assert (
        content_range(4 * GiB, 8 * MiB, total) == f"bytes {4 * GiB}-{4 * GiB + 8 * MiB - 1}/{total}"
    )
    last_start, last_len = chunk_plan(total, 50 * MiB)[-1]
    assert last_start + last_len == total
    assert content_range(last_start, last_len, total).endswith(f"-{total - 1}/{total}")
    with pytest.raises(ValueError):
        content_range(total - 1, 2, total)


def test_engine_rejects_empty_and_offset_backwards() -> None:
    with pytest.raises(ValueError):
        next(chunked_upload_flow(0, 10, RetryPolicy()))
    flow = chunked_upload_flow(30, 10, RetryPolicy())
    assert next(flow) == Read(0, 10)
    put = flow.send(b"0" * 10)
    assert isinstance(put, Put) and put.content_range == "bytes 0-9/30"
    from synapse_client.models import ChunkedUpload

    bad = ChunkedUpload(id="u", url=f"{BASE}/chunked_upload/u/", offset=0, status=1)
    with pytest.raises(ProtocolError, match="never resume backwards"):
        flow.send(bad)


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(size))
    return path


def test_multi_chunk_with_partial_last_chunk(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = _file(tmp_path, 2500)
    events = []
    data_file = client.upload_file(path, chunked=True, chunk_size=1000, on_progress=events.append)
    ranges = [r.headers["Content-Range"] for r in fake.requests if r.method == "PUT"]
    assert ranges == ["bytes 0-999/2500", "bytes 1000-1999/2500", "bytes 2000-2499/2500"]
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert fake.uploads["u1"]["data"] == path.read_bytes()
    assert [e.done for e in events if not e.finished] == [1000, 2000, 2500]


def test_resume_after_dropped_chunk(
    tmp_path: Path, fake: FakeBackend, sleeps: list[float], client: SynapseClient
) -> None:
    path = _file(tmp_path, 3000)
    fake.fail[("PUT", "/chunked_upload/u1/")] = ["drop"]
    client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.chunk_bytes_received == 3000  # no byte stored twice
    sent = [r.headers["Content-Range"] for r in fake.requests if r.method == "PUT"]
    assert sent == [
        "bytes 0-999/3000",
        "bytes 1000-1999/3000",
        "bytes 1000-1999/3000",
        "bytes 2000-2999/3000",
    ]
    assert fake.uploads["u1"]["data"] == path.read_bytes()


def test_lost_chunk_response_resumes_from_server_offset(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = _file(tmp_path, 3000)
    fake.fail[("PUT", "/chunked_upload/u1/")] = ["lose"]
    client.upload_file(path, chunked=True, chunk_size=1000)
    # the chunk was stored; the client asked (GET) and did not send it again
    assert fake.calls[("GET", "/chunked_upload/u1/")] == 1
    assert fake.chunk_bytes_received == 3000
    assert fake.uploads["u1"]["data"] == path.read_bytes()


def test_offset_mismatch_asks_the_server(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = _file(tmp_path, 2000)
    fake.fail[("PUT", "/chunked_upload/u1/")] = [
        httpx.Response(400, json={"detail": "Offsets do not match", "offset": 1000})
    ]
    client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.uploads["u1"]["data"] == path.read_bytes()


def test_lost_finalize_is_recovered_with_one_post(
    tmp_path: Path, fake: FakeBackend, sleeps: list[float], client: SynapseClient
) -> None:
    path = _file(tmp_path, 1500)
    fake.fail[("POST", "/chunked_upload/u1/")] = ["lose"]
    data_file = client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.calls[("POST", "/chunked_upload/u1/")] == 1
    assert fake.calls[("GET", "/chunked_upload/u1/")] >= 1
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 2.0


def test_lost_finalize_never_completed_raises(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = _file(tmp_path, 1500)
    fake.fail[("POST", "/chunked_upload/u1/")] = [httpx.Response(504)]
    fake.fail[("GET", "/chunked_upload/u1/")] = [
        httpx.Response(
            200,
            json={
                "id": "u1",
                "url": f"{BASE}/chunked_upload/u1/",
                "offset": 1500,
                "status": 1,
                "completed_at": None,
            },
        )
    ] * 5
    from synapse_ext import ServerError

    with pytest.raises(ServerError):
        client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.calls[("POST", "/chunked_upload/u1/")] == 0  # 504 came from the "proxy"


def test_engine_reads_fresh_bytes_per_attempt() -> None:
    flow = chunked_upload_flow(10, 10, RetryPolicy())
    assert next(flow) == Read(0, 10)
    assert isinstance(flow.send(b"a" * 10), Put)
    from synapse_ext import RequestNotSentError

    nxt = flow.send(RequestNotSentError("down"))  # no upload yet: sleep, then read again
    assert nxt.__class__.__name__ == "Sleep"
    assert flow.send(None) == Read(0, 10)


def test_one_gib_sparse_file_with_bounded_memory(tmp_path: Path) -> None:
    """1 GiB in 8 MiB chunks; peak traced memory stays under 6 chunks (48 MiB)."""
    path = tmp_path / "sparse.bin"
    with open(path, "wb") as f:
        f.truncate(GiB)
    fake = FakeBackend(keep_bytes=False)
    digest = hashlib.md5()

    # The fake checks lengths and a running MD5, and discards the bytes.
    transport = StreamingTransport(fake)

    bound = 6 * 8 * MiB
    tracemalloc.start()
    try:
        with SynapseClient(BASE, TOKEN, transport=transport) as c:
            upload = c.upload_file_chunked(path, chunk_size=8 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for _ in range(GiB // MiB):
        digest.update(b"\0" * MiB)
    assert upload.offset == GiB
    assert fake.chunk_bytes_received == GiB
    assert fake.uploads["u1"]["md5"] == digest.hexdigest()
    assert peak < bound, f"peak {peak / MiB:.1f} MiB"
