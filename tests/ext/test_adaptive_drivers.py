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


class Overlapping(Counting):
    """:class:`Counting` without the throttling: only the requests in flight are recorded."""

    def _arrive(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.arrivals.append(self.in_flight)


SHARED_CEILING = 4


def _two_parallels(limit: AdaptiveLimit) -> Flow[list[Any]]:
    """Two ``Parallel`` on one limit, run at once (an outer fixed ``Parallel`` of two)."""
    return (yield Parallel([_flows(limit), _flows(limit)], 2))  # type: ignore[no-any-return]


def _check_shared(counting: Overlapping, answers: list[Any]) -> None:
    assert len(answers) == 2 and all(len(a) == FLOWS for a in answers)
    assert len(counting.arrivals) == 2 * FLOWS
    # One gate per limit: the two Parallel together stay within it (each gated on its own
    # count, they would reach twice the limit), and they do fill it.
    assert max(counting.arrivals) == SHARED_CEILING


def test_sync_parallels_share_one_gate_per_limit(fake: MockSynapse) -> None:
    counting = Overlapping(fake)
    limit = AdaptiveLimit(SHARED_CEILING, start=SHARED_CEILING)
    with SynapseClient(fake.base_url, fake.token, transport=counting) as client:
        answers = client._driver.run(_two_parallels(limit))
    _check_shared(counting, answers)


def test_async_parallels_share_one_gate_per_limit(fake: MockSynapse) -> None:
    counting = Overlapping(fake)
    limit = AdaptiveLimit(SHARED_CEILING, start=SHARED_CEILING)

    async def main() -> list[Any]:
        async with AsyncSynapseClient(fake.base_url, fake.token, transport=counting) as client:
            return await client._driver.run(_two_parallels(limit))

    _check_shared(counting, anyio.run(main))
