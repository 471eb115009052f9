"""Typed round trips of every operation, sync and async, against the fake backend (mockserver).

Both clients run the same scenarios through both transports; faults come from ``mockserver``'s
fault controller ("drop" = connection dropped before handling, "lose_response" = applied,
then the answer is lost).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from synapse_client.models import (
    ChunkedUpload,
    DataCollection,
    DataFile,
    DataUnit,
    DataUnitCreate,
    PaginatedDataCollectionList,
    PaginatedDataUnitList,
    Task,
)

from mockserver import MockSynapse, mock_synapse
from synapse_ext import (
    AsyncSynapseClient,
    NotFoundError,
    ResponseLostError,
    SynapseClient,
)

T = TypeVar("T")
pytestmark = pytest.mark.anyio


@pytest.fixture
def synapse(fake: MockSynapse) -> MockSynapse:
    return fake


class Both:
    """Runs a client method the same way for the sync and the async client."""

    def __init__(self, kind: str, synapse: MockSynapse, sleeps: list[float]) -> None:
        self.kind = kind
        url, token = synapse.base_url, synapse.token
        if kind == "sync":
            self.c: Any = SynapseClient(
                url, token, transport=synapse.transport, sleep=sleeps.append
            )
        else:

            async def asleep(s: float) -> None:
                sleeps.append(s)

            self.c = AsyncSynapseClient(url, token, transport=synapse.transport, sleep=asleep)

    async def __call__(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.c, name)(*args, **kwargs)
        if self.kind == "async":
            if hasattr(result, "__aiter__"):
                return [x async for x in result]
            return await result
        return list(result) if isinstance(result, Iterator) else result


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, synapse: MockSynapse) -> Both:
    return Both(request.param, synapse, [])


def _jpg(tmp_path: Path, name: str, size: int = 200) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8\xff" + os.urandom(size - 3))
    return path


async def test_typed_round_trips(both: Both, tmp_path: Path) -> None:
    page = await both("list_collections", page_size=1)
    assert isinstance(page, PaginatedDataCollectionList) and page.next_
    every = await both("iter_collections", page_size=1)
    assert [c.id for c in every] == [1, 2] and isinstance(every[0], DataCollection)
    col = await both("get_collection", 1)
    assert {s.name for s in col.file_specifications} >= {"image", "annotation"}
    bare = await both("get_collection", 1, with_specifications=False)
    assert not bare.file_specifications
    with pytest.raises(NotFoundError):
        await both("get_collection", 999)

    a = _jpg(tmp_path, "a.jpg")
    direct = await both("upload_file", a)
    assert (
        isinstance(direct, DataFile) and direct.checksum == hashlib.md5(a.read_bytes()).hexdigest()
    )
    assert await both("verify_checksums", [direct.checksum, "0" * 32]) == {direct.checksum}

    b = _jpg(tmp_path, "b.jpg", 2500)
    upload = await both("upload_file_chunked", b, chunk_size=1000)
    assert isinstance(upload, ChunkedUpload) and upload.completed_at and upload.offset == 2500
    state = await both("get_chunked_upload", upload.id)
    assert state.completed_at
    from_upload = await both("create_file_from_chunked_upload", upload.id)
    assert from_upload.checksum == hashlib.md5(b.read_bytes()).hexdigest()

    one = DataUnitCreate.from_dict(
        {"data_collection": 1, "files": {"image": {"checksum": direct.checksum}}, "meta": {"k": 1}}
    )
    two = DataUnitCreate.from_dict(
        {"data_collection": 1, "files": {"image": {"checksum": from_upload.checksum}}}
    )
    single = await both("create_units", one)
    assert isinstance(single, list) and isinstance(single[0], DataUnit)
    many = await both("create_units", [two])
    unit = await both("get_unit", many[0].id)
    assert unit.id == many[0].id
    units_page = await both("list_units", collection_id=1, page_size=1)
    assert isinstance(units_page, PaginatedDataUnitList) and units_page.count == 2
    all_units = await both("iter_units", collection_id=1, page_size=1)
    assert len(all_units) == 2
    tasks = await both("create_tasks", 1, [u.id for u in all_units])
    assert all(isinstance(t, Task) for t in tasks) and len(tasks) == 2


async def test_async_multipart_chunk_path(synapse: MockSynapse, tmp_path: Path) -> None:
    """anchors §1: async octet-stream bodies break; our multipart chunk bodies must not."""
    path = _jpg(tmp_path, "big.bin", 5000)
    async with AsyncSynapseClient(
        synapse.base_url, synapse.token, transport=synapse.transport
    ) as c:
        data_file = await c.upload_file(path, chunked=True, chunk_size=2048)
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert synapse.call_count("uploadChunk") == 2
    assert synapse.call_count("createChunkedUpload") == 1


async def test_dropped_chunk_resumes(both: Both, synapse: MockSynapse, tmp_path: Path) -> None:
    path = _jpg(tmp_path, "c.bin", 3000)
    synapse.faults.drop("uploadChunk")
    data_file = await both("upload_file", path, chunked=True, chunk_size=1000)
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert synapse.call_count("completeChunkedUpload") == 1


async def test_lost_chunk_response_is_not_resent(
    both: Both, synapse: MockSynapse, tmp_path: Path
) -> None:
    path = _jpg(tmp_path, "d.bin", 3000)
    synapse.faults.lose_response("uploadChunk")
    data_file = await both("upload_file", path, chunked=True, chunk_size=1000)
    assert data_file.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    # chunk 2 was applied and its response lost: asked, not resent (chunk 3 is the only other)
    assert synapse.call_count("getChunkedUpload") == 1


async def test_lost_finalize_one_post(both: Both, synapse: MockSynapse, tmp_path: Path) -> None:
    path = _jpg(tmp_path, "e.bin", 1500)
    synapse.faults.lose_response("completeChunkedUpload")
    data_file = await both("upload_file", path, chunked=True, chunk_size=1000)
    assert data_file.size == 1500
    assert synapse.call_count("completeChunkedUpload") == 1


async def test_429_and_503(both: Both, synapse: MockSynapse) -> None:
    synapse.faults.script("listDataCollections", status=429, retry_after=2)
    synapse.faults.script("listDataCollections", status=503)
    page = await both("list_collections")
    assert page.count == 2
    assert synapse.call_count("listDataCollections") == 3


async def test_lost_data_units_post_raises(
    both: Both, synapse: MockSynapse, tmp_path: Path
) -> None:
    df = await both("upload_file", _jpg(tmp_path, "f.jpg"))
    unit = DataUnitCreate.from_dict(
        {"data_collection": 1, "files": {"image": {"checksum": df.checksum}}}
    )
    synapse.faults.lose_response("createDataUnits")
    with pytest.raises(ResponseLostError):
        await both("create_units", [unit])
    assert synapse.call_count("createDataUnits") == 1


async def test_over_real_http(tmp_path: Path) -> None:
    with mock_synapse(mode="server") as server:
        with SynapseClient(server.base_url, server.token) as c:
            path = _jpg(tmp_path, "g.bin", 3000)
            assert c.upload_file(path, chunked=True, chunk_size=1024).size == 3000
        async with AsyncSynapseClient(server.base_url, server.token) as ac:
            assert (await ac.get_collection(1)).id == 1
