"""The chunk engine: plan, Content-Range, resume, lost finalize, bounded memory.

The client runs against the fake (both transports); what the fake received comes from its
call log (``Content-Range`` of each PUT), its byte counter and its stored segments.
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    ProtocolError,
    RetryPolicy,
    ServerError,
    SynapseClient,
)
from synapse_ext.upload._chunked import chunk_plan, content_range

from .chunk_engine_harness import Put, Read, chunked_upload_flow

pytestmark = pytest.mark.slow

BASE = "https://api.synapse.sh"

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


def _put_ranges(fake: MockSynapse) -> list[str | None]:
    """Content-Range of every chunk PUT the fake received, in order (faulted ones included)."""
    return [c.header("content-range") for c in fake.calls if c.method == "PUT"]


def _only_upload_id(fake: MockSynapse) -> str:
    (upload,) = fake.state()["chunked_uploads"]
    upload_id: str = upload["id"]
    return upload_id


def _stored(fake: MockSynapse) -> bytes:
    """The bytes the fake stored for its one chunked upload (its segments, in order)."""
    upload = fake.backend.get_upload(fake.tenant or "", _only_upload_id(fake))
    return b"".join(segment.read_bytes() for segment in upload.segments)


def test_multi_chunk_with_partial_last_chunk(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = _file(tmp_path, 2500)
    events = []
    data_file = client.upload_file(path, chunked=True, chunk_size=1000, on_progress=events.append)
    assert _put_ranges(fake) == ["bytes 0-999/2500", "bytes 1000-1999/2500", "bytes 2000-2499/2500"]
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert _stored(fake) == path.read_bytes()
    assert [e.done for e in events if not e.finished] == [1000, 2000, 2500]


def test_resume_after_dropped_chunk(
    tmp_path: Path, fake: MockSynapse, sleeps: list[float], client: SynapseClient
) -> None:
    path = _file(tmp_path, 3000)
    fake.faults.refuse("uploadChunk")  # the second chunk: the first PUT creates the upload
    client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.backend.bytes_received == 3000  # no byte stored twice
    assert _put_ranges(fake) == [
        "bytes 0-999/3000",
        "bytes 1000-1999/3000",
        "bytes 1000-1999/3000",
        "bytes 2000-2999/3000",
    ]
    assert _stored(fake) == path.read_bytes()


def test_lost_chunk_response_resumes_from_server_offset(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = _file(tmp_path, 3000)
    fake.faults.lose_response("uploadChunk")
    client.upload_file(path, chunked=True, chunk_size=1000)
    # the chunk was stored; the client asked (GET) and did not send it again
    assert fake.call_count("getChunkedUpload") == 1
    assert fake.backend.bytes_received == 3000
    assert _stored(fake) == path.read_bytes()


def test_offset_mismatch_asks_the_server(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = _file(tmp_path, 2000)
    fake.faults.respond(
        "uploadChunk", status=400, json={"detail": "Offsets do not match", "offset": 1000}
    )
    client.upload_file(path, chunked=True, chunk_size=1000)
    assert _stored(fake) == path.read_bytes()


def test_lost_finalize_is_recovered_with_one_post(
    tmp_path: Path, fake: MockSynapse, sleeps: list[float], client: SynapseClient
) -> None:
    path = _file(tmp_path, 1500)
    fake.faults.lose_response("completeChunkedUpload")
    data_file = client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.call_count("completeChunkedUpload") == 1
    assert fake.call_count("getChunkedUpload") >= 1
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 2.0


def test_lost_finalize_never_completed_raises(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = _file(tmp_path, 1500)
    # A proxy answers 504 without passing the finalize on: the fake's upload stays incomplete
    # (offset 1500, no completed_at), which is what every GET of its state then says.
    fake.faults.respond("completeChunkedUpload", status=504)
    with pytest.raises(ServerError):
        client.upload_file(path, chunked=True, chunk_size=1000)
    assert fake.handled_count("completeChunkedUpload") == 0  # 504 came from the "proxy"
    assert fake.call_count("completeChunkedUpload") == 1
    assert fake.call_count("getChunkedUpload") >= 1
    (upload,) = fake.state()["chunked_uploads"]
    assert upload["offset"] == 1500 and upload["completed_at"] is None


def test_engine_reads_fresh_bytes_per_attempt() -> None:
    flow = chunked_upload_flow(10, 10, RetryPolicy())
    assert next(flow) == Read(0, 10)
    assert isinstance(flow.send(b"a" * 10), Put)
    from synapse_ext import RequestNotSentError

    nxt = flow.send(RequestNotSentError("down"))  # no upload yet: sleep, then read again
    assert nxt.__class__.__name__ == "Sleep"
    assert flow.send(None) == Read(0, 10)


@pytest.mark.parametrize("fake_mode", ["respx"])  # traced memory must be the client's alone
def test_a_large_sparse_file_uploads_with_bounded_memory(tmp_path: Path, fake: MockSynapse) -> None:
    """256 MiB in 8 MiB chunks; peak traced memory stays under 6 chunks (48 MiB), far below
    the file (the 1 GiB figure is `make bench`'s).

    In-process, the fake's transport streams each request body to its spool folder as the
    client produces it, so what is traced is the client's memory plus a small parse buffer.
    """
    path = tmp_path / "sparse.bin"
    size = 256 * MiB
    with open(path, "wb") as f:
        f.truncate(size)
    digest = hashlib.md5()
    bound = 6 * 8 * MiB
    tracemalloc.start()
    try:
        with SynapseClient(fake.base_url, fake.token, transport=fake.transport) as c:
            upload = c.upload_file_chunked(path, chunk_size=8 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for _ in range(size // MiB):
        digest.update(b"\0" * MiB)
    assert upload.offset == size
    assert fake.backend.bytes_received == size
    assert fake.state()["chunked_uploads"][0]["checksum"] == digest.hexdigest()
    assert peak < bound, f"peak {peak / MiB:.1f} MiB"


def test_chunk_body_goes_to_httpx_in_large_pieces_and_whole() -> None:
    from synapse_ext._wire import operations as ops

    data = os.urandom(3 * ops.PIECE + 5)
    op = ops.put_chunk(None, BASE, "f.bin", data, content_range(0, len(data), len(data)), 5.0)
    with op.arguments() as kwargs:
        fh = kwargs["body"].file.payload
        pieces = [fh.read(64 * 1024) for _ in range(5)]
    assert [len(p) for p in pieces] == [ops.PIECE] * 3 + [5, 0]
    assert b"".join(pieces) == data
    assert fh.closed  # the buffer is released once the attempt is over
