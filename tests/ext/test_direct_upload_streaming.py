"""Direct uploads stream the file from a fresh handle per attempt: memory does not grow with it.

Against the fake, which streams each request body to disk as it arrives (respx: its transport
parses while the client produces the body; server: uvicorn feeds the parser). Traced memory
covers both sides in-process: 8 MiB for the client (and the respx fake's parse buffer); over
HTTP the in-thread server may also hold its receive queue, a bound of its own.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import anyio
import pytest

from mockserver import MockSynapse
from synapse_ext import AsyncSynapseClient, SynapseClient

pytestmark = pytest.mark.slow

MiB = 1024 * 1024
SIZE = 40 * MiB  # below the 50 MiB chunked threshold: one multipart POST


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "scan.tif"
    with path.open("wb") as fh:
        fh.truncate(SIZE)
    return path


def _bound(fake: MockSynapse) -> int:
    if fake.mode == "respx":
        return 8 * MiB
    from mockserver.asgi import FEED_BYTES, FEED_QUEUE

    return 8 * MiB + (FEED_QUEUE + 1) * FEED_BYTES


def _bodies(fake: MockSynapse) -> list[int]:
    """Body bytes the fake received per data-file POST."""
    return [c.body_bytes for c in fake.calls if c.operation_id == "createDataFile"]


def test_sync_direct_upload_streams_and_resends_everything(
    fake: MockSynapse, big_file: Path
) -> None:
    fake.faults.script("createDataFile", status=503, retry_after=0)
    tracemalloc.start()
    try:
        with SynapseClient(
            fake.base_url, fake.token, transport=fake.transport, sleep=lambda s: None
        ) as client:
            data_file = client.upload_file(big_file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data_file.size == SIZE
    assert len(_bodies(fake)) == 2  # the 503 was retried
    assert all(body > SIZE for body in _bodies(fake))  # each attempt sent the whole file again
    assert peak < _bound(fake), f"peak {peak / MiB:.1f} MiB for a {SIZE // MiB} MiB file"


def test_async_direct_upload_streams(fake: MockSynapse, big_file: Path) -> None:
    async def main() -> int:
        async def no_sleep(seconds: float) -> None:
            return None

        tracemalloc.start()
        try:
            async with AsyncSynapseClient(
                fake.base_url, fake.token, transport=fake.transport, sleep=no_sleep
            ) as client:
                data_file = await client.upload_file(big_file)
            assert data_file.size == SIZE
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak = anyio.run(main)
    assert _bodies(fake) and _bodies(fake)[0] > SIZE
    assert peak < _bound(fake), f"peak {peak / MiB:.1f} MiB for a {SIZE // MiB} MiB file"
