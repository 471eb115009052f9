"""Direct uploads stream the file from a fresh handle per attempt: memory does not grow with it."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import anyio
import httpx
import pytest

from synapse_ext import AsyncSynapseClient, SynapseClient

from .fakes import BASE, TOKEN

MiB = 1024 * 1024
SIZE = 40 * MiB  # below the 50 MiB chunked threshold: one multipart POST


class CountingSink(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Consumes each request body piece by piece, keeps only counts; answers ``statuses``."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[int] = []

    def _answer(self, received: int) -> httpx.Response:
        self.bodies.append(received)
        status = self.statuses.pop(0) if self.statuses else 201
        if status != 201:
            return httpx.Response(status, json={"detail": "busy"}, headers={"Retry-After": "0"})
        return httpx.Response(201, json={"id": 1, "checksum": "0" * 32, "size": SIZE})

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        received = sum(len(piece) for piece in request.stream)  # type: ignore[union-attr]
        return self._answer(received)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        received = 0
        async for piece in request.stream:  # type: ignore[union-attr]
            received += len(piece)
        return self._answer(received)


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "scan.tif"
    with path.open("wb") as fh:
        fh.truncate(SIZE)
    return path


def test_sync_direct_upload_streams_and_resends_everything(big_file: Path) -> None:
    sink = CountingSink([503])
    tracemalloc.start()
    try:
        with SynapseClient(BASE, TOKEN, transport=sink, sleep=lambda s: None) as client:
            client.upload_file(big_file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sink.bodies) == 2  # the 503 was retried
    assert all(body > SIZE for body in sink.bodies)  # each attempt sent the whole file again
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB for a {SIZE // MiB} MiB file"


def test_async_direct_upload_streams(big_file: Path) -> None:
    sink = CountingSink([])

    async def main() -> int:
        async def no_sleep(seconds: float) -> None:
            return None

        tracemalloc.start()
        try:
            async with AsyncSynapseClient(BASE, TOKEN, transport=sink, sleep=no_sleep) as client:
                await client.upload_file(big_file)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak = anyio.run(main)
    assert sink.bodies and sink.bodies[0] > SIZE
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB for a {SIZE // MiB} MiB file"
