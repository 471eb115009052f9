"""Fixtures shared by the mockserver tests: one fake, parametrized over both transports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest

from mockserver import ManualClock, MockSynapse, mock_synapse, mock_synapse_server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=["respx", "server"])
def fake(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[MockSynapse]:
    """The same fake through respx (explicit transport) or a real HTTP server."""
    if request.param == "respx":
        cm = mock_synapse(validate=True, patch=False, clock=clock, max_upload_bytes=10_000)
    else:
        cm = mock_synapse_server(validate=True, clock=clock, max_upload_bytes=10_000)
    with cm as handle:
        handle.sleep = lambda seconds: None
        yield handle
        assert not handle.contract_violations, [str(v) for v in handle.contract_violations]


@pytest.fixture
def client(fake: MockSynapse) -> Iterator[httpx.Client]:
    with fake.client(timeout=30) as c:
        yield c


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def upload_direct(client: httpx.Client, data: bytes, name: str = "a.jpg") -> dict[str, object]:
    response = client.post("/data_files/", files={"file": (name, data)})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def put_chunk(
    client: httpx.Client,
    url: str,
    data: bytes,
    start: int,
    total: int,
    filename: str = "big.bin",
) -> httpx.Response:
    end = start + len(data) - 1
    return client.put(
        url,
        files={"file": ("file", data)},
        data={"filename": filename},
        headers={"Content-Range": f"bytes {start}-{end}/{total}"},
    )
