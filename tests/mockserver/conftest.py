"""The mockserver tests' settings of the shared ``fake`` (tests/fixtures.py, both transports).

Here the fake has a manual clock and a 10 000-byte upload limit, its respx transport never
sleeps, and ``client`` is a plain ``httpx.Client`` on it (these tests speak raw HTTP).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import ManualClock, MockSynapse


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake_options(clock: ManualClock) -> dict[str, Any]:
    return {"clock": clock, "max_upload_bytes": 10_000}


@pytest.fixture
def fake(fake: MockSynapse) -> MockSynapse:
    fake.sleep = lambda seconds: None
    return fake


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
