"""The two drivers perform the same flow the same way (the one place the worlds differ)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from synapse_ext._flow import Blocking, Call, Emit, Flow, Pages, Parallel, Sleep
from synapse_ext._wire import operations as ops
from synapse_ext.client._drivers import AsyncDriver, SyncDriver
from synapse_ext.errors import NotFoundError

BASE = "https://api.test"


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.startswith("/data_units/"):
        return httpx.Response(404, json={"detail": "Not found."})
    return httpx.Response(500, json={"detail": "unexpected"})


class Runner:
    """Runs flows through one world's driver (async ones inside an event loop)."""

    def __init__(self, world: str, sleeps: list[float]) -> None:
        self.world = world
        self.sleeps = sleeps
        self.transport = httpx.MockTransport(_answer)

    def run(self, flow: Flow[Any]) -> Any:
        if self.world == "sync":
            with httpx.Client(base_url=BASE, transport=self.transport) as http:
                return SyncDriver(http, BASE, self.sleeps.append).run(flow)

        async def main() -> Any:
            async def asleep(seconds: float) -> None:
                self.sleeps.append(seconds)

            async with httpx.AsyncClient(base_url=BASE, transport=self.transport) as http:
                return await AsyncDriver(http, BASE, asleep).run(flow)

        return anyio.run(main)

    def items(self, pages: Pages[Any], take: int) -> list[Any]:
        if self.world == "sync":
            with httpx.Client(base_url=BASE, transport=self.transport) as http:
                it = SyncDriver(http, BASE, self.sleeps.append).iterate(pages)
                return [next(it) for _ in range(take)]

        async def main() -> list[Any]:
            async with httpx.AsyncClient(base_url=BASE, transport=self.transport) as http:
                it = AsyncDriver(http, BASE, anyio.sleep).iterate(pages)
                return [await it.__anext__() for _ in range(take)]

        return anyio.run(main)


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    return Runner(request.param, [])


def test_calls_answer_errors_as_values_and_sleeps_are_the_drivers(runner: Runner) -> None:
    def flow() -> Flow[Any]:
        answer = yield Call(ops.get_unit(7))
        yield Sleep(1.5)
        return answer

    error = runner.run(flow())
    assert isinstance(error, NotFoundError) and error.status_code == 404
    assert runner.sleeps == [1.5]


def test_blocking_errors_are_thrown_into_the_flow(runner: Runner) -> None:
    def boom() -> None:
        raise OSError("disk gone")

    def flow() -> Flow[str]:
        try:
            yield Blocking(boom)
        except OSError as exc:
            return f"caught {exc}"
        return "not raised"

    assert runner.run(flow()) == "caught disk gone"


def test_parallel_keeps_order_and_the_limit(runner: Runner) -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def work(i: int) -> int:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return i * i

    def one(i: int) -> Flow[int]:
        return (yield Blocking(work, (i,)))  # type: ignore[no-any-return]

    def flow() -> Flow[list[int]]:
        return (yield Parallel([one(i) for i in range(8)], 3))  # type: ignore[no-any-return]

    assert runner.run(flow()) == [i * i for i in range(8)]
    assert 1 < state["peak"] <= 3


def test_parallel_throws_the_first_failure_into_the_parent(runner: Runner) -> None:
    def one(i: int) -> Flow[int]:
        yield Sleep(0)
        if i == 2:
            raise ValueError("bad item 2")
        return i

    def flow() -> Flow[str]:
        try:
            yield Parallel([one(i) for i in range(4)], 2)
        except ValueError as exc:
            return str(exc)
        return "no error"

    assert runner.run(flow()) == "bad item 2"


def test_pages_are_fetched_as_they_are_consumed(runner: Runner) -> None:
    fetched: list[int] = []

    def pages() -> Pages[int]:
        for page in range(3):
            yield Blocking(fetched.append, (page,))
            yield Emit([page * 10, page * 10 + 1])

    assert runner.items(pages(), 3) == [0, 1, 10]
    assert fetched == [0, 1]  # the third page was never asked for


def test_a_flow_is_closed_when_its_driver_is_interrupted() -> None:
    closed: list[bool] = []

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    def flow() -> Flow[None]:
        try:
            yield Sleep(1)
        finally:
            closed.append(True)

    with httpx.Client(base_url=BASE) as http, pytest.raises(KeyboardInterrupt):
        SyncDriver(http, BASE, interrupt).run(flow())
    assert closed == [True]


def test_a_driver_refuses_what_is_not_an_intent(runner: Runner) -> None:
    def flow() -> Iterator[Any]:
        yield "GET /"

    with pytest.raises(TypeError, match="not an intent"):
        runner.run(flow())  # type: ignore[arg-type]
