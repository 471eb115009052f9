"""``Parallel`` means the same in both drivers: on the first failure no new sub-flow starts,
the running siblings are cancelled (stopped at their ``yield``: the intent they are in is the
last), every thread is joined, and the first failure by time is raised.

The same flows run through both drivers and their outcomes are compared. The moment of the
cancellation is observed, not waited for: ``_Scope.cancel`` is wrapped to set an event, and
the siblings' fake work waits on that event (a hang guard only, never a timing assert).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest

from synapse_ext._flow import AdaptiveLimit, Blocking, Call, Flow, Parallel, Sleep
from synapse_ext._wire import operations as ops
from synapse_ext.client import _drivers
from synapse_ext.client._drivers import AsyncDriver, SyncDriver

BASE = "https://api.test"
GUARD = 30.0  # seconds: a hang guard if the driver waited on a sibling, never asserted


class Boom(RuntimeError):
    """A sub-flow's failure."""


class Cancels:
    """How many ``Parallel`` scopes the driver has cancelled; waits for a number of them."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.count = 0

    def seen(self) -> None:
        with self.condition:
            self.count += 1
            self.condition.notify_all()

    def wait(self, n: int = 1) -> bool:
        with self.condition:
            return self.condition.wait_for(lambda: self.count >= n, GUARD)

    def clear(self) -> None:
        with self.condition:
            self.count = 0


@pytest.fixture
def cancelled(monkeypatch: pytest.MonkeyPatch) -> Cancels:
    """Counts the scopes cancelled (each after the driver cancelled it)."""
    cancels = Cancels()
    cancel = _drivers._Scope.cancel

    def observed(scope: _drivers._Scope) -> None:
        was = scope.cancelled
        cancel(scope)
        if not was:
            cancels.seen()

    monkeypatch.setattr(_drivers._Scope, "cancel", observed)
    return cancels


class Log:
    """What the sub-flows did, in any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: set[str] = set()

    def __call__(self, event: str) -> None:
        with self.lock:
            self.events.add(event)


def run_in(world: str, flow: Flow[Any], handler: Callable[..., Any] | None = None) -> Any:
    """Run ``flow`` through ``world``'s driver (calls answered by ``handler``)."""

    def default(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not found."})

    transport = httpx.MockTransport(handler or default)
    if world == "sync":
        with httpx.Client(base_url=BASE, transport=transport) as http:
            return SyncDriver(http, BASE, lambda s: None).run(flow)

    async def main() -> Any:
        async def asleep(seconds: float) -> None:
            pass

        with anyio.fail_after(GUARD):
            async with httpx.AsyncClient(base_url=BASE, transport=transport) as http:
                return await AsyncDriver(http, BASE, asleep).run(flow)

    return anyio.run(main)


def outcome(world: str, flow: Flow[Any]) -> tuple[str, Any]:
    """``("raised", repr of the error)`` or ``("returned", value)``."""
    try:
        return "returned", run_in(world, flow)
    except Exception as exc:
        return "raised", f"{type(exc).__name__}: {exc}"


def siblings(log: Log, cancelled: Cancels) -> list[Flow[int]]:
    """Two run at once: 0 waits in its first intent until the Parallel is cancelled, 1 fails;
    2 (which would fail too) and 3 must never start."""

    def waits() -> Flow[int]:
        log("0 started")
        try:
            yield Blocking(cancelled.wait)
            log("0 got its answer")
            yield Blocking(log, ("0 second intent",))
        except GeneratorExit:
            log("0 stopped")
            raise
        return 0

    def fails(i: int) -> Flow[int]:
        log(f"{i} started")
        yield Blocking(log, (f"{i} first intent",))
        raise Boom(f"sub-flow {i}")

    def ok() -> Flow[int]:
        log("3 started")
        yield Blocking(log, ("3 first intent",))
        return 3

    return [waits(), fails(1), fails(2), ok()]


LIMITS: list[Callable[[], int | AdaptiveLimit]] = [lambda: 2, lambda: AdaptiveLimit(2, start=2)]


def parity_case(
    world: str, cancelled: Cancels, limit: int | AdaptiveLimit
) -> tuple[tuple[str, Any], set[str]]:
    """The outcome of :func:`siblings` under ``limit`` in ``world``, and what they did."""
    cancelled.clear()
    log = Log()

    def flow() -> Flow[Any]:
        return (yield Parallel(siblings(log, cancelled), limit))

    return outcome(world, flow()), log.events


@pytest.mark.parametrize("limit", LIMITS, ids=["fixed", "adaptive"])
def test_the_same_failure_has_the_same_outcome_in_both_worlds(
    cancelled: Cancels, limit: Callable[[], int | AdaptiveLimit]
) -> None:
    sync = parity_case("sync", cancelled, limit())
    assert parity_case("async", cancelled, limit()) == sync
    assert sync == (
        ("raised", "Boom: sub-flow 1"),
        {"0 started", "0 stopped", "1 started", "1 first intent"},
    )


@pytest.mark.parametrize("world", ["sync", "async"])
def test_the_first_failure_by_time_is_raised_not_the_lowest_index(
    world: str, cancelled: Cancels
) -> None:
    log = Log()
    failed = threading.Event()

    def late() -> Flow[int]:  # index 0: fails only after index 1 failed
        yield Blocking(failed.wait, (GUARD,))
        raise Boom("sub-flow 0, second")

    def early() -> Flow[int]:
        yield Blocking(log, ("1 first intent",))
        failed.set()
        raise Boom("sub-flow 1, first")

    def flow() -> Flow[Any]:
        return (yield Parallel([late(), early()], 2))

    assert outcome(world, flow()) == ("raised", "Boom: sub-flow 1, first")


@pytest.mark.parametrize("world", ["sync", "async"])
def test_a_sibling_blocked_in_a_long_request_is_not_waited_on_beyond_it(
    world: str, cancelled: Cancels
) -> None:
    """The sibling's request answers only once the Parallel is cancelled (sync cannot
    interrupt it; async cancels it at once and never hears the answer); its next request is
    never sent, and the Parallel raises the failure."""
    paths: list[str] = []

    def sync_handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == "/data_units/1/":
            cancelled.wait()
        return httpx.Response(404, json={"detail": "Not found."})

    async def async_handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == "/data_units/1/":
            await anyio.sleep_forever()
        return httpx.Response(404, json={"detail": "Not found."})

    def blocked() -> Flow[None]:
        yield Call(ops.get_unit(1))  # the long request
        yield Call(ops.get_unit(2))  # never sent

    def fails() -> Flow[None]:
        yield Call(ops.get_unit(3))
        raise Boom("sub-flow 1")

    def flow() -> Flow[Any]:
        return (yield Parallel([blocked(), fails()], 2))

    handler = sync_handler if world == "sync" else async_handler
    with pytest.raises(Boom, match="sub-flow 1"):
        run_in(world, flow(), handler)
    assert sorted(paths) == ["/data_units/1/", "/data_units/3/"]


@pytest.mark.parametrize("world", ["sync", "async"])
def test_a_cancelled_parallel_gives_back_the_slots_of_its_adaptive_limit(
    world: str, cancelled: Cancels
) -> None:
    """After a failed Parallel on a limit, a second one on the same limit (same driver, same
    gate) runs as many sub-flows at once as the limit allows: no slot was kept."""
    limit = AdaptiveLimit(3, start=3)
    log = Log()
    barrier = threading.Barrier(3, timeout=GUARD)  # passes only with three running at once

    def together(i: int) -> Flow[int]:
        yield Blocking(barrier.wait)
        return i

    def flow() -> Flow[Any]:
        with contextlib.suppress(Boom):
            yield Parallel(siblings(log, cancelled), limit)
        return (yield Parallel([together(i) for i in range(3)], limit))

    assert run_in(world, flow()) == [0, 1, 2]


@pytest.mark.parametrize("world", ["sync", "async"])
def test_a_failure_in_a_nested_parallel_cancels_the_outer_siblings(
    world: str, cancelled: Cancels
) -> None:
    log = Log()

    def inner_fails() -> Flow[int]:
        yield Blocking(log, ("inner first intent",))
        raise Boom("inner")

    def inner_waits() -> Flow[int]:
        yield Blocking(cancelled.wait)
        yield Blocking(log, ("inner sibling second intent",))
        return 1

    def outer_a() -> Flow[Any]:
        return (yield Parallel([inner_waits(), inner_fails()], 2))

    def outer_b() -> Flow[int]:  # released once the outer scope is cancelled too
        yield Blocking(cancelled.wait, (2,))
        yield Blocking(log, ("outer sibling second intent",))
        return 2

    def flow() -> Flow[Any]:
        return (yield Parallel([outer_a(), outer_b()], 2))

    assert outcome(world, flow()) == ("raised", "Boom: inner")
    assert log.events == {"inner first intent"}


@pytest.mark.parametrize("world", ["sync", "async"])
def test_sub_flows_that_never_started_are_closed(world: str, cancelled: Cancels) -> None:
    # No generator is left suspended before its start: the driver closes it.
    log = Log()

    def never() -> Iterator[Any]:
        yield Blocking(log, ("late started",))

    late = never()

    def flow() -> Flow[Any]:
        return (yield Parallel([*siblings(log, cancelled)[:2], late], 2))

    assert outcome(world, flow()) == ("raised", "Boom: sub-flow 1")
    assert late.gi_frame is None  # closed
    assert "late started" not in log.events


class CountingLimit(AdaptiveLimit):
    """An adaptive limit that counts the requests reported to it."""

    def __init__(self, ceiling: int) -> None:
        super().__init__(ceiling, start=ceiling)
        self.reported = 0
        self._lock = threading.Lock()

    def observe(self, signal: Any, started: float) -> None:
        with self._lock:
            self.reported += 1
        super().observe(signal, started)


@pytest.mark.parametrize("world", ["sync", "async"])
def test_requests_of_a_fixed_parallel_report_to_the_enclosing_adaptive_limit(world: str) -> None:
    # The parts of one file (a fixed Parallel) run inside a file's sub-flow gated on the
    # adaptive limit: their requests are the ones the limit must hear about.
    limit = CountingLimit(2)

    def part(i: int) -> Flow[Any]:
        return (yield Call(ops.get_unit(i)))

    def one_file(n: int) -> Flow[Any]:
        return (yield Parallel([part(n * 10 + i) for i in range(3)], 3))

    def flow() -> Flow[Any]:
        return (yield Parallel([one_file(n) for n in range(2)], limit))

    run_in(world, flow())
    assert limit.reported == 6


def test_a_sync_sibling_sleeping_between_retries_is_woken_by_the_failure(
    monkeypatch: pytest.MonkeyPatch, cancelled: Cancels
) -> None:
    """With the real ``time.sleep``, a sibling waiting out a retry delay stops at once when
    another sub-flow fails (as the async driver's cancelled sleep does), instead of holding
    the Parallel for the whole delay. An injected sleep is still called as asked."""
    sleeping = threading.Event()
    on_cancel = _drivers._Scope.on_cancel

    def noted(scope: _drivers._Scope, wake: Callable[[], object]) -> None:
        on_cancel(scope, wake)
        if isinstance(getattr(wake, "__self__", None), threading.Event):
            sleeping.set()  # the sleeper's wait is registered: it is sleeping now

    monkeypatch.setattr(_drivers._Scope, "on_cancel", noted)
    log = Log()

    def sleeper() -> Flow[int]:
        yield Sleep(3600.0)
        log("slept to the end")
        return 0

    def fails() -> Flow[int]:
        yield Blocking(sleeping.wait, (GUARD,))
        raise Boom("while the sibling sleeps")

    def flow() -> Flow[Any]:
        return (yield Parallel([sleeper(), fails()], 2))

    result: list[tuple[str, Any]] = []

    def drive() -> None:
        with httpx.Client(base_url=BASE) as http:
            try:
                SyncDriver(http, BASE, time.sleep).run(flow())
            except Boom as exc:
                result.append(("raised", str(exc)))

    runner = threading.Thread(target=drive, daemon=True)
    runner.start()
    runner.join(GUARD)  # a hang guard: without the wake-up it would sleep for an hour
    assert not runner.is_alive()
    assert result == [("raised", "while the sibling sleeps")]
    assert "slept to the end" not in log.events
    assert sleeping.is_set()


def test_a_free_slot_of_a_shared_limit_goes_to_the_earliest_parallel_waiting() -> None:
    """Two ``Parallel``s share one adaptive limit (two batch flows' uploads): when the limit
    grows while the first one's sub-flows wait for a slot, a sub-flow of the second one that
    arrives then does not take the slot ahead of them; the first is served first, so batches
    finish their uploads one after another instead of all together."""
    limit = AdaptiveLimit(4, start=1)
    started: list[str] = []
    changed = threading.Condition()
    release = threading.Event()
    a_queued = threading.Event()

    def note(name: str) -> None:
        with changed:
            started.append(name)
            changed.notify_all()

    def sub(name: str) -> Flow[str]:
        yield Blocking(note, (name,))
        yield Blocking(release.wait, (GUARD,))
        return name

    def first() -> Flow[list[str]]:
        result: list[str] = yield Parallel([sub("a0"), sub("a1"), sub("a2")], limit)
        return result

    def grow_then_second() -> Flow[list[str]]:
        yield Blocking(a_queued.wait, (GUARD,))  # a0 runs, a1 and a2 wait for a slot
        limit._limit = 2  # one more slot, and no sub-flow ended to tell anyone
        result: list[str] = yield Parallel([sub("b0"), sub("b1")], limit)
        return result

    def outer() -> Flow[Any]:
        return (yield Parallel([first(), grow_then_second()], 2))

    def watch() -> None:
        with changed:
            changed.wait_for(lambda: started == ["a0"], GUARD)
        gate = driver._gate(limit)
        deadline = time.monotonic() + GUARD  # a hang guard, never asserted
        while time.monotonic() < deadline:  # a0's two siblings are parked at the gate
            with gate.lock:
                if sum(q.waiting for q in gate._queue) == 2:
                    break
            time.sleep(0.001)
        a_queued.set()
        with changed:
            changed.wait_for(lambda: len(started) >= 2, GUARD)
        release.set()

    with httpx.Client(base_url=BASE) as http:
        driver = SyncDriver(http, BASE, lambda s: None)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert driver.run(outer()) == [
            ["a0", "a1", "a2"],
            ["b0", "b1"],
        ]
    watcher.join(GUARD)
    assert started[1] == "a1", started
    assert started.index("a2") < started.index("b0"), started
