"""No request is retried by two layers, and both worlds recover the same way.

Each case runs the blocking and the asyncio client against the shared fake (both transports,
contract validation on), with sleeps recorded instead of slept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import mockserver
from synapse_ext import (
    AsyncSynapseClient,
    DataFileUnconfirmedError,
    IngestResult,
    RetryPolicy,
    SynapseClient,
    aupload_data_collection,
    upload_data_collection,
)

pytestmark = pytest.mark.slow

WORLDS = pytest.mark.parametrize("world", ["sync", "async"])
TOKEN = mockserver.DEFAULT_TOKEN


def _dataset(root: Path, n: int = 3) -> list[dict[str, Any]]:
    (root / "image").mkdir(parents=True)
    groups = []
    for i in range(n):
        path = root / "image" / f"g{i}.png"
        path.write_bytes(f"image {i}".encode() * 10)
        groups.append({"files": {"image": path}, "meta": {"i": i}})
    return groups


async def _ingest(
    world: str, fake: Any, groups: list[Any], sleeps: list[float], **kw: Any
) -> IngestResult:
    if world == "sync":
        with SynapseClient(
            fake.base_url, TOKEN, transport=fake.transport, sleep=sleeps.append
        ) as c:
            return upload_data_collection(c, 1, groups, journal=None, api="v1", **kw)

    async def asleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with AsyncSynapseClient(
        fake.base_url, TOKEN, transport=fake.transport, sleep=asleep
    ) as ac:
        return await aupload_data_collection(ac, 1, groups, journal=None, api="v1", **kw)


@WORLDS
@pytest.mark.anyio
async def test_a_batch_throttled_forever_is_posted_exactly_max_attempts_times(
    world: str, fake: Any, tmp_path: Path
) -> None:
    fake.faults.script("createDataUnits", status=429, times=1000, retry_after=7)
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=4)
    result = await _ingest(world, fake, _dataset(tmp_path), sleeps, unit_retry=policy)
    assert fake.call_count("createDataUnits") == 4  # not 4 x the client's own 4
    assert [f.reason for f in result.failures] == ["unit_failed"] * 3
    assert sleeps.count(7.0) == 3  # Retry-After honoured between the four POSTs


@WORLDS
@pytest.mark.anyio
async def test_a_batch_behind_503_honours_retry_after(
    world: str, fake: Any, tmp_path: Path
) -> None:
    fake.faults.script("createDataUnits", status=503, times=1, retry_after=5)
    sleeps: list[float] = []
    result = await _ingest(world, fake, _dataset(tmp_path), sleeps)
    assert result.success and result.units_created == 3
    assert 5.0 in sleeps
    # a 503 is "not processed" (RetryPolicy.decide): resent after the wait, no listing
    # beyond the start-of-run one, and the batch was posted twice
    assert fake.call_count("listDataUnits") == 1
    assert fake.call_count("createDataUnits") == 2


@WORLDS
@pytest.mark.anyio
async def test_a_lost_batch_is_reconciled_never_duplicated(
    world: str, fake: Any, tmp_path: Path
) -> None:
    fake.faults.lose_response("createDataUnits")
    result = await _ingest(world, fake, _dataset(tmp_path), [])
    assert result.success and result.units_created == 3
    assert fake.call_count("createDataUnits") == 1  # applied once; found by listing
    assert len(fake.backend.units) == 3


@WORLDS
@pytest.mark.anyio
async def test_a_lost_data_file_is_never_sent_again(world: str, fake: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"png bytes" * 100)
    fake.faults.lose_response("createDataFile")
    sleeps: list[float] = []
    if world == "sync":
        with (
            SynapseClient(fake.base_url, TOKEN, transport=fake.transport, sleep=sleeps.append) as c,
            pytest.raises(DataFileUnconfirmedError) as info,
        ):
            c.upload_file(path)
    else:
        async with AsyncSynapseClient(fake.base_url, TOKEN, transport=fake.transport) as ac:
            with pytest.raises(DataFileUnconfirmedError) as info:
                await ac.upload_file(path)
    assert info.value.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert fake.call_count("createDataFile") == 1
    assert fake.call_count("verifyDataFileChecksums") == 1


@WORLDS
@pytest.mark.anyio
async def test_a_data_file_post_throttled_forever_is_sent_max_attempts_times(
    world: str, fake: Any, tmp_path: Path
) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"png bytes" * 100)
    fake.faults.script("createDataFile", status=429, times=1000, retry_after=1)
    policy = RetryPolicy(max_attempts=3)
    if world == "sync":
        with (
            SynapseClient(
                fake.base_url, TOKEN, transport=fake.transport, retry=policy, sleep=lambda s: None
            ) as c,
            pytest.raises(Exception, match="429"),
        ):
            c.upload_file(path)
    else:

        async def asleep(seconds: float) -> None:
            return None

        async with AsyncSynapseClient(
            fake.base_url, TOKEN, transport=fake.transport, retry=policy, sleep=asleep
        ) as ac:
            with pytest.raises(Exception, match="429"):
                await ac.upload_file(path)
    assert fake.call_count("createDataFile") == 3
