"""Both drivers keep the requests in flight within an adaptive limit, which falls on 429s."""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio
import httpx
import pytest

from mockserver import MockSynapse, mock_synapse
from synapse_ext import AsyncSynapseClient, SynapseClient
from synapse_ext._flow import AdaptiveLimit, Call, Flow, Parallel
from synapse_ext._wire import operations as ops
from synapse_ext.errors import ClientError

FLOWS = 60
THROTTLE_AFTER = 16  # the fake answers 429 to every request after this many


class Counting(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Around the fake's transport: the requests in flight when each one arrives; after
    ``THROTTLE_AFTER`` arrivals the fake is told to answer 429 from then on."""

    def __init__(self, fake: MockSynapse) -> None:
        self.fake = fake
        assert fake.transport is not None
        self.inner = fake.transport
        self.lock = threading.Lock()
        self.in_flight = 0
        self.arrivals: list[int] = []

    def _arrive(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.arrivals.append(self.in_flight)
            if len(self.arrivals) == THROTTLE_AFTER:
                self.fake.faults.script("getDataUnit", status=429, times=10_000)

    def _leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._arrive()
        try:
            time.sleep(0.003)  # let requests overlap
            response = self.inner.handle_request(request)
            response.read()
            return response
        finally:
            self._leave()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._arrive()
        try:
            await anyio.sleep(0.003)
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self._leave()


def _flows(limit: AdaptiveLimit) -> Flow[list[Any]]:
    def one() -> Flow[Any]:
        return (yield Call(ops.get_unit(1)))

    return (yield Parallel([one() for _ in range(FLOWS)], limit))  # type: ignore[no-any-return]


def _check(counting: Counting, limit: AdaptiveLimit, answers: list[Any]) -> None:
    assert len(counting.arrivals) == FLOWS  # every sub-flow sent its request once
    assert max(counting.arrivals) <= 8  # never above the limit
    assert max(counting.arrivals[:THROTTLE_AFTER]) > 1  # and concurrent before the 429s
    stats = limit.stats()
    assert stats.observed == FLOWS and stats.decreases >= 3 and stats.final == 1
    assert counting.arrivals[-10:] == [1] * 10  # one at a time once throttled
    statuses = [a.status_code for a in answers if isinstance(a, ClientError)]
    assert len(statuses) == FLOWS and set(statuses) <= {404, 429}  # no unit 1: 404 until then
    assert statuses.count(429) >= FLOWS - THROTTLE_AFTER


@pytest.fixture
def fake() -> Any:
    with mock_synapse(mode="respx", patch=False) as handle:
        yield handle


def test_sync_in_flight_follows_the_limit(fake: MockSynapse) -> None:
    counting = Counting(fake)
    limit = AdaptiveLimit(8, start=8)
    with SynapseClient(fake.base_url, fake.token, transport=counting) as client:
        answers = client._driver.run(_flows(limit))
    _check(counting, limit, answers)


def test_async_in_flight_follows_the_limit(fake: MockSynapse) -> None:
    counting = Counting(fake)
    limit = AdaptiveLimit(8, start=8)

    async def main() -> list[Any]:
        async with AsyncSynapseClient(fake.base_url, fake.token, transport=counting) as client:
            return await client._driver.run(_flows(limit))

    _check(counting, limit, anyio.run(main))
