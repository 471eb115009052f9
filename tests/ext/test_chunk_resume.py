"""Resuming a chunked upload: every branch of the pure engine, then both clients on the fake."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from synapse_client.models import ChunkedUpload

from mockserver import ManualClock, MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    ClientError,
    FileKey,
    MemoryResumeStore,
    NoResponseError,
    NotFoundError,
    ProgressEvent,
    ProtocolError,
    RequestNotSentError,
    ResumePoint,
    RetryPolicy,
    ServerError,
    SynapseClient,
)

from .chunk_engine_harness import (
    Advance,
    Created,
    Finalize,
    GetState,
    Put,
    Read,
    Sleep,
    chunked_upload_flow,
)

BASE = "https://api.synapse.sh"
CHUNK = 10
DATA = bytes(range(45))  # 4 full chunks and a partial one
NOW = datetime(2026, 1, 15, tzinfo=UTC)


# -- a pure in-memory server for the engine ---------------------------------------------------


class Server:
    """Answers the engine's intents like drf-chunked-upload (offsets, completion, 404/410)."""

    def __init__(self) -> None:
        self.stored: dict[str, bytearray] = {}
        self.completed: set[str] = set()
        self.gone: dict[str, int] = {}  # upload id -> status for PUT/POST (410 expired, 404)
        self.state_errors: list[ClientError] = []  # next GET answers
        self.received = 0
        self.next_id = 1

    def state(self, uid: str) -> ChunkedUpload:
        done = uid in self.completed
        return ChunkedUpload(
            id=uid,
            url=f"{BASE}/chunked_upload/{uid}/",
            offset=len(self.stored[uid]),
            status=2 if done else 1,
            completed_at=NOW if done else None,
        )

    def answer(self, intent: Any) -> Any:
        if isinstance(intent, GetState):
            if self.state_errors:
                return self.state_errors.pop(0)
            if intent.upload_id not in self.stored:
                return NotFoundError(404, {"detail": "Not found."})
            return self.state(intent.upload_id)
        if isinstance(intent, Put):
            intent.digest.update(intent.data)
            start = int(intent.content_range.split()[1].split("-")[0])
            if intent.upload is None:
                uid = f"u{self.next_id}"
                self.next_id += 1
                self.stored[uid] = bytearray()
            else:
                uid = intent.upload.id
                if uid in self.gone:
                    return ClientError(self.gone[uid], {"detail": "Upload has expired"})
            assert start == len(self.stored[uid])
            self.stored[uid] += intent.data
            self.received += len(intent.data)
            return self.state(uid)
        if isinstance(intent, Finalize):
            uid = intent.upload.id
            if uid in self.gone:
                return ClientError(self.gone[uid], {"detail": "Upload has expired"})
            assert intent.md5 == hashlib.md5(bytes(self.stored[uid])).hexdigest()
            self.completed.add(uid)
            return self.state(uid)
        raise AssertionError(intent)


def drive(flow: Any, data: bytes, server: Server, log: list[Any] | None = None) -> ChunkedUpload:
    """Run ``flow`` over ``data`` and ``server``; every intent is appended to ``log``."""
    result: Any = None
    try:
        while True:
            intent = flow.send(result)
            if log is not None:
                log.append(intent)
            if isinstance(intent, Read):
                result = data[intent.start : intent.start + intent.length]
                if intent.digest is not None:
                    intent.digest.update(result)
            elif isinstance(intent, Sleep | Advance | Created):
                result = None
            else:
                result = server.answer(intent)
    except StopIteration as stop:
        upload: ChunkedUpload = stop.value
        return upload


def flow(total: int = len(DATA), point: ResumePoint | None = None) -> Any:
    policy = RetryPolicy(max_attempts=3)
    return chunked_upload_flow(total, CHUNK, policy, lambda a, b: 0.0, resume=point)


def interrupted(server: Server, chunks: int) -> str:
    """An upload holding the first ``chunks`` chunks of ``DATA`` (an earlier run's)."""
    uid = "old"
    server.stored[uid] = bytearray(DATA[: chunks * CHUNK])
    return uid


def puts(log: list[Any]) -> list[str]:
    return [i.content_range for i in log if isinstance(i, Put)]


def finalized_md5(log: list[Any]) -> str:
    return next(i.md5 for i in log if isinstance(i, Finalize))


MD5 = hashlib.md5(DATA).hexdigest()


def test_resume_continues_from_the_server_offset_with_the_whole_md5() -> None:
    server, log = Server(), []
    uid = interrupted(server, 2)
    # the caller's own number (999) is only logged: the server's offset (20) decides
    done = drive(flow(point=ResumePoint(uid, 999)), DATA, server, log)
    assert log[0] == GetState(uid)
    prefix = [i for i in log if isinstance(i, Read) and i.digest is not None]
    assert [(r.start, r.length) for r in prefix] == [(0, 10), (10, 10)]  # chunk-sized pieces
    assert puts(log) == ["bytes 20-29/45", "bytes 30-39/45", "bytes 40-44/45"]
    assert server.received == len(DATA) - 2 * CHUNK
    assert finalized_md5(log) == MD5 and done.id == uid and done.completed_at
    assert not any(isinstance(i, Created) for i in log)  # no new upload
    assert sum(i.n for i in log if isinstance(i, Advance)) == len(DATA)


def test_resume_with_every_byte_sent_only_finalizes() -> None:
    server, log = Server(), []
    uid = interrupted(server, 5)
    drive(flow(point=ResumePoint(uid)), DATA, server, log)
    assert puts(log) == [] and server.received == 0
    assert finalized_md5(log) == MD5


def test_already_complete_goes_straight_to_the_data_file() -> None:
    server, log = Server(), []
    uid = interrupted(server, 5)
    server.completed.add(uid)
    done = drive(flow(point=ResumePoint(uid)), DATA, server, log)
    assert done.id == uid and done.completed_at
    assert [type(i) for i in log] == [GetState, Advance]


@pytest.mark.parametrize("status", [404, 410])
def test_gone_upload_restarts_from_byte_0(status: int) -> None:
    server, log = Server(), []
    server.state_errors = [ClientError(status, {"detail": "gone"})]
    done = drive(flow(point=ResumePoint("lost")), DATA, server, log)
    assert puts(log)[0] == "bytes 0-9/45" and server.received == len(DATA)
    assert [i.upload.id for i in log if isinstance(i, Created)] == [done.id]
    assert finalized_md5(log) == MD5


def test_unknown_id_restarts_from_byte_0() -> None:
    server, log = Server(), []
    drive(flow(point=ResumePoint("never-existed")), DATA, server, log)
    assert server.received == len(DATA) and finalized_md5(log) == MD5


def test_offset_beyond_the_file_restarts_from_byte_0() -> None:
    server, log = Server(), []
    server.stored["big"] = bytearray(60)  # more than the file's 45 bytes
    drive(flow(point=ResumePoint("big")), DATA, server, log)
    assert puts(log)[0] == "bytes 0-9/45" and finalized_md5(log) == MD5
    assert server.stored["big"] == bytearray(60)  # never written to


def test_complete_upload_of_another_size_restarts() -> None:
    server, log = Server(), []
    server.stored["other"] = bytearray(30)
    server.completed.add("other")
    done = drive(flow(point=ResumePoint("other")), DATA, server, log)
    assert done.id != "other" and server.received == len(DATA)


def test_transient_state_errors_are_retried_then_raised() -> None:
    server, log = Server(), []
    uid = interrupted(server, 1)
    server.state_errors = [ServerError(503, {"detail": "busy"})]
    drive(flow(point=ResumePoint(uid)), DATA, server, log)
    assert [type(i) for i in log[:3]] == [GetState, Sleep, GetState]
    assert server.received == len(DATA) - CHUNK

    server.state_errors = [RequestNotSentError("down")] * 3
    with pytest.raises(NoResponseError):
        drive(flow(point=ResumePoint(uid)), DATA, server)


def test_upload_expiring_mid_way_restarts_once() -> None:
    server, log = Server(), []
    uid = interrupted(server, 2)
    server.gone[uid] = 410  # GET still answers (expiry is checked on writes)
    done = drive(flow(point=ResumePoint(uid)), DATA, server, log)
    assert done.id != uid and finalized_md5(log) == MD5
    fresh = [f"bytes {s}-{min(s + 9, 44)}/45" for s in range(0, 45, 10)]
    assert puts(log) == ["bytes 20-29/45", *fresh]  # 410 on the resumed one, then byte 0

    # a second "gone" in the same flow is raised, not looped on
    server2 = Server()
    uid2 = interrupted(server2, 2)
    server2.gone[uid2] = 410
    real = server2.answer

    def new_uploads_expire_too(intent: Any) -> Any:
        out = real(intent)
        if isinstance(out, ChunkedUpload):
            server2.gone[out.id] = 410
        return out

    server2.answer = new_uploads_expire_too  # type: ignore[method-assign]
    with pytest.raises(ClientError) as info:
        drive(flow(point=ResumePoint(uid2)), DATA, server2)
    assert info.value.status_code == 410


def test_finalize_of_an_expired_upload_restarts() -> None:
    server, log = Server(), []
    uid = interrupted(server, 5)
    server.gone[uid] = 410
    done = drive(flow(point=ResumePoint(uid)), DATA, server, log)
    assert done.id != uid and server.received == len(DATA)
    assert [i.md5 for i in log if isinstance(i, Finalize)] == [MD5, MD5]


def test_local_file_shorter_than_the_server_prefix_is_an_error() -> None:
    server = Server()
    uid = interrupted(server, 3)
    with pytest.raises(ProtocolError, match="local file changed"):
        drive(flow(point=ResumePoint(uid)), DATA[:25], server)


def test_created_is_announced_before_the_second_chunk() -> None:
    server, log = Server(), []
    drive(flow(), DATA, server, log)
    kinds = [type(i).__name__ for i in log]
    first_put, created = kinds.index("Put"), kinds.index("Created")
    assert first_put < created < kinds.index("Put", first_put + 1)


# -- both clients against the fake (both transports, contract validation on) -----------------

KiB = 1024
SIZE = 5 * 64 * KiB + 1234
C = 64 * KiB
K = 2  # chunks stored before the interruption
FAST = RetryPolicy(max_attempts=2, base=0.0, cap=0.0)


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "scan.bin"
    path.write_bytes(os.urandom(SIZE))
    return path


def drop_after(fake: MockSynapse, chunks: int) -> Callable[[ProgressEvent], None]:
    """A progress callback that makes every later chunk PUT fail once ``chunks`` are stored."""

    def on_progress(event: ProgressEvent) -> None:
        if event.done >= chunks * C and not event.finished:
            fake.faults.drop("uploadChunk", times=1000)

    return on_progress


async def call(kind: str, fake: MockSynapse, method: str, *args: Any, **kw: Any) -> Any:
    if kind == "sync":
        with SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=FAST) as c:
            return getattr(c, method)(*args, **kw)
    async with AsyncSynapseClient(
        fake.base_url, fake.token, transport=fake.transport, retry=FAST
    ) as ac:
        return await getattr(ac, method)(*args, **kw)


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


@KINDS
@pytest.mark.anyio
async def test_client_resume_sends_only_the_remaining_bytes(
    kind: str, fake: MockSynapse, big: Path
) -> None:
    ids: list[str] = []
    with pytest.raises(NoResponseError):
        await call(
            kind,
            fake,
            "upload_file_chunked",
            big,
            chunk_size=C,
            on_progress=drop_after(fake, K),
            on_upload=lambda u: ids.append(u.id),
        )
    assert len(ids) == 1 and fake.backend.bytes_received == K * C
    fake.faults.clear()
    before = fake.backend.bytes_received
    upload = await call(kind, fake, "upload_file_chunked", big, chunk_size=C, resume=ids[0])
    assert fake.backend.bytes_received - before == SIZE - K * C
    assert upload.id == ids[0] and upload.completed_at
    data_file = await call(kind, fake, "create_file_from_chunked_upload", upload.id)
    assert data_file.checksum == hashlib.md5(big.read_bytes()).hexdigest()
    assert fake.call_count("createChunkedUpload") == 1


@KINDS
@pytest.mark.anyio
async def test_upload_file_with_a_resume_store(kind: str, fake: MockSynapse, big: Path) -> None:
    store = MemoryResumeStore()
    with pytest.raises(NoResponseError):
        await call(
            kind,
            fake,
            "upload_file",
            big,
            chunked=True,
            chunk_size=C,
            on_progress=drop_after(fake, K),
            resume_store=store,
        )
    key = FileKey.of(big)
    assert store.load(key) is not None  # saved as soon as the server created the upload
    fake.faults.clear()
    before = fake.backend.bytes_received
    data_file = await call(
        kind, fake, "upload_file", big, chunked=True, chunk_size=C, resume_store=store
    )
    assert fake.backend.bytes_received - before == SIZE - K * C
    assert data_file.checksum == hashlib.md5(big.read_bytes()).hexdigest()
    assert store.load(key) is None  # the data file exists: forgotten


@pytest.mark.anyio
async def test_async_hook_may_be_a_coroutine(fake: MockSynapse, big: Path) -> None:
    seen: list[str] = []

    async def hook(upload: ChunkedUpload) -> None:
        seen.append(upload.id)

    upload = await call("async", fake, "upload_file_chunked", big, chunk_size=C, on_upload=hook)
    assert seen == [upload.id]


def test_changed_file_does_not_resume(fake: MockSynapse, big: Path) -> None:
    store = MemoryResumeStore()
    with SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=FAST) as c:
        with pytest.raises(NoResponseError):
            c.upload_file(
                big, chunked=True, chunk_size=C, on_progress=drop_after(fake, K), resume_store=store
            )
        fake.faults.clear()
        big.write_bytes(os.urandom(SIZE))  # same size, new content and mtime
        os.utime(big, ns=(1, 1))
        before = fake.backend.bytes_received
        data_file = c.upload_file(big, chunked=True, chunk_size=C, resume_store=store)
    assert fake.backend.bytes_received - before == SIZE  # started over
    assert data_file.checksum == hashlib.md5(big.read_bytes()).hexdigest()
    assert fake.call_count("createChunkedUpload") == 2


@pytest.mark.parametrize("fake_options", [{"clock": ManualClock()}])
def test_expired_upload_starts_over(
    fake: MockSynapse, fake_options: dict[str, Any], big: Path
) -> None:
    clock = fake_options["clock"]
    store = MemoryResumeStore()
    with SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=FAST) as c:
        with pytest.raises(NoResponseError):
            c.upload_file(
                big,
                chunked=True,
                chunk_size=C,
                on_progress=drop_after(fake, K),
                resume_store=store,
            )
        fake.faults.clear()
        clock.advance(days=1, seconds=1)
        before = fake.backend.bytes_received
        data_file = c.upload_file(big, chunked=True, chunk_size=C, resume_store=store)
    assert fake.backend.bytes_received - before == SIZE
    assert data_file.checksum == hashlib.md5(big.read_bytes()).hexdigest()
