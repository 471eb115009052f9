"""Fixtures for synapse_ext tests: a small fake backend behind httpx.MockTransport."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from synapse_ext import AsyncSynapseClient, SynapseClient

from .fakes import BASE, TOKEN, FakeBackend


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake: FakeBackend, sleeps: list[float]) -> Iterator[SynapseClient]:
    with SynapseClient(BASE, TOKEN, transport=fake.transport, sleep=sleeps.append) as c:
        yield c


@pytest.fixture
def aclient(fake: FakeBackend, sleeps: list[float]) -> AsyncSynapseClient:
    async def asleep(seconds: float) -> None:
        sleeps.append(seconds)

    return AsyncSynapseClient(BASE, TOKEN, transport=fake.transport, sleep=asleep)
