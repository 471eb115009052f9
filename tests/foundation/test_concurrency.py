"""The adaptive concurrency limit (slow start, AIMD), on an injected clock."""

from __future__ import annotations

import heapq
import random
import threading

import httpx
import pytest

from synapse_ext._flow import AdaptiveLimit, Signal, signal_of
from synapse_ext.errors import (
    ClientError,
    NotFoundError,
    RequestNotSentError,
    ResponseLostError,
    StorageError,
    error_from_response,
)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _round(limit: AdaptiveLimit, clock: Clock, seconds: float) -> None:
    """One round of ``current`` successful requests, all sent now, done after ``seconds``."""
    started = clock.t
    clock.t += seconds
    for _ in range(limit.current):
        limit.observe(Signal.OK, started)


def _link(
    limit: AdaptiveLimit, clock: Clock, rtt: float, seconds: float, slots: int | None = None
) -> None:
    """Drive ``limit`` like a driver would, over a link whose requests take ``rtt`` each
    (±10 %, seeded), for ``seconds``: always ``current`` requests in flight, each observed
    when done. With ``slots``, the server serves that many at a time and queues the rest
    (FIFO), so more in flight than ``slots`` adds waiting, not throughput."""
    jitter = random.Random(7)
    in_flight: list[tuple[float, float]] = []  # (done at, started at)
    free: list[float] = [clock.t] * (slots or 0)  # when each of the server's slots is free
    end = clock.t + seconds
    while clock.t < end:
        while len(in_flight) < limit.current:
            served, took = clock.t, rtt * jitter.uniform(0.9, 1.1)
            if slots:
                served = max(clock.t, heapq.heappop(free))
                heapq.heappush(free, served + took)
            heapq.heappush(in_flight, (served + took, clock.t))
        done, started = heapq.heappop(in_flight)
        clock.t = done
        limit.observe(Signal.OK, started)


def _changes(limit: AdaptiveLimit) -> list[tuple[float, int]]:
    return list(limit.history)[1:]


def _status(code: int) -> ClientError:
    return error_from_response(httpx.Response(code, json={"detail": "x"}))


def test_grows_while_throughput_rises_and_holds_when_flat() -> None:
    clock = Clock()
    limit = AdaptiveLimit(32, start=4, slow_start=False, clock=clock)
    _round(limit, clock, 1.0)  # first round: grows
    assert limit.current == 5
    _round(limit, clock, 1.0)  # the round after a growth settles: not measured
    assert limit.current == 5
    _round(limit, clock, 1.0)  # 5/s after 4/s: rising
    assert limit.current == 6
    _round(limit, clock, 1.0)  # settles
    _round(limit, clock, 6 / 5)  # 5/s again: flat, holds
    assert limit.current == 6
    _round(limit, clock, 1.0)  # 6/s: rising again
    assert limit.current == 7
    assert limit.rounds == 6


def test_a_round_lasts_at_least_min_round() -> None:
    clock = Clock()
    limit = AdaptiveLimit(32, start=4, min_round=0.1, slow_start=False, clock=clock)
    _round(limit, clock, 0.05)  # 4 completions in 50 ms: the round goes on
    assert limit.current == 4
    clock.t += 0.05
    limit.observe(Signal.OK, clock.t)  # 100 ms: it ends, and grows
    assert limit.current == 5


@pytest.mark.parametrize("rtt", [0.1, 0.005])
def test_rounds_last_one_round_trip_of_the_link(rtt: float) -> None:
    clock = Clock()
    limit = AdaptiveLimit(64, start=4, slow_start=False, min_round=0.001, clock=clock)
    _link(limit, clock, rtt, seconds=40 * rtt)
    assert limit.round_trip == pytest.approx(rtt, rel=0.1)
    assert 36 <= limit.rounds <= 44  # one round per round trip, whatever its length
    assert limit.current > 4


def test_a_round_is_never_shorter_than_min_round() -> None:
    clock = Clock()
    limit = AdaptiveLimit(64, start=4, slow_start=False, min_round=0.05, clock=clock)
    _link(limit, clock, 0.001, seconds=1.0)  # a 1 ms link: rounds of 50 ms, not 1 ms
    assert 18 <= limit.rounds <= 20


def test_slow_start_doubles_up_to_the_ceiling_in_log_rounds() -> None:
    clock = Clock()
    limit = AdaptiveLimit(64, start=8, clock=clock)
    _link(limit, clock, 0.1, seconds=0.65)  # a 100 ms link that never saturates
    assert [n for _, n in _changes(limit)] == [16, 32, 64]  # 3 growths in 6 rounds, not 56
    assert limit.stats().peak == 64


def test_slow_start_stops_where_added_slots_stop_adding_throughput() -> None:
    clock = Clock()
    limit = AdaptiveLimit(256, start=8, clock=clock)
    _link(limit, clock, 0.1, seconds=5.0, slots=12)  # the server serves 12 at a time
    # 8 -> 16 (the first round), 16 -> 32 (12 served > 8: rising), then flat: no more
    assert [n for _, n in _changes(limit)] == [16, 32]
    assert limit.rounds > 15
    assert not limit.slow_start
    assert limit.round_trip is not None and limit.round_trip > 0.2  # queued behind 12


def test_noise_on_a_flat_link_does_not_walk_the_limit_up() -> None:
    clock = Clock()
    limit = AdaptiveLimit(256, start=16, slow_start=False, clock=clock)
    _link(limit, clock, 0.03, seconds=20.0, slots=16)  # ±10 % per request, 16 served at once
    assert limit.rounds > 400
    assert limit.current <= 18  # the first round grows; a lucky round is the bar after that


def test_additive_after_a_back_off() -> None:
    clock = Clock()
    limit = AdaptiveLimit(64, start=16, clock=clock)
    limit.observe(Signal.CONGESTION, clock.t)
    assert limit.current == 8
    assert not limit.slow_start
    _link(limit, clock, 0.1, seconds=1.0)  # +1 every other round (the others settle)
    grown = [n for _, n in _changes(limit)]
    assert grown == list(range(8, 8 + len(grown)))  # 8 (the back-off), then 9, 10, ...
    assert len(grown) >= 4


def test_back_off_once_per_round_of_answers_to_the_old_limit() -> None:
    clock = Clock()
    limit = AdaptiveLimit(64, start=32, clock=clock)
    _link(limit, clock, 0.1, seconds=0.3)
    sent = clock.t
    clock.t += 0.1
    for _ in range(limit.current):  # the whole window answered 429
        limit.observe(Signal.CONGESTION, sent)
    assert limit.current == 32
    assert limit.stats().decreases == 1


def test_stops_at_the_ceiling() -> None:
    clock = Clock()
    limit = AdaptiveLimit(6, start=2, min_round=0.0, clock=clock)
    for n in range(20):
        _round(limit, clock, 1.0 / (n + 1))  # ever faster
    assert limit.current == 6
    assert limit.stats().peak == 6


@pytest.mark.parametrize(
    "answer",
    [
        _status(429),
        _status(503),
        _status(502),
        _status(504),
        StorageError(400, None, "no storage error code (Bad Request, text/html, 155 bytes)"),
        ResponseLostError("ReadError"),
        RequestNotSentError("ConnectTimeout"),
    ],
)
def test_congestion_signals_halve_the_limit(answer: ClientError) -> None:
    clock = Clock()
    limit = AdaptiveLimit(32, start=16, clock=clock)
    assert signal_of(answer) is Signal.CONGESTION
    limit.observe(signal_of(answer), clock.t)
    assert limit.current == 8
    assert limit.stats().decreases == 1


@pytest.mark.parametrize(
    "answer",
    [NotFoundError(404, "gone"), StorageError(400, "InvalidDigest", "bad"), _status(500), None],
)
def test_other_answers_are_no_congestion(answer: object) -> None:
    assert signal_of(answer) is not Signal.CONGESTION
    clock = Clock()
    limit = AdaptiveLimit(32, start=16, clock=clock)
    limit.observe(signal_of(answer), clock.t)
    assert limit.current == 16


def test_one_decrease_per_round() -> None:
    clock = Clock()
    limit = AdaptiveLimit(32, start=16, clock=clock)
    sent = clock.t
    clock.t = 1.0
    for _ in range(16):  # a burst of 429s to requests sent under the old limit
        limit.observe(Signal.CONGESTION, sent)
    assert limit.current == 8
    clock.t = 2.0
    limit.observe(Signal.CONGESTION, 1.5)  # sent after the decrease: counts
    assert limit.current == 4
    assert limit.stats().decreases == 2


def test_never_below_one_and_grows_back() -> None:
    clock = Clock()
    limit = AdaptiveLimit(8, start=2, clock=clock)
    for step in range(5):
        clock.t = float(step)
        limit.observe(Signal.CONGESTION, clock.t)
    assert limit.current == 1
    _round(limit, clock, 1.0)  # the first round after a decrease grows
    assert limit.current == 2
    assert [n for _, n in limit.history] == [2, 1, 2]


def test_counts_are_exact_under_threads() -> None:
    limit = AdaptiveLimit(4, start=4, clock=lambda: 0.0)
    barrier = threading.Barrier(8)

    def hammer() -> None:
        barrier.wait()
        for _ in range(500):
            limit.observe(Signal.OK, 0.0)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = limit.stats()
    assert stats.observed == 4000
    assert 1 <= stats.final <= 4


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        AdaptiveLimit(0)
    with pytest.raises(ValueError):
        AdaptiveLimit(4, backoff=1.0)
    assert AdaptiveLimit(4, start=10).current == 4
