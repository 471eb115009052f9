"""The adaptive concurrency limit (AIMD), on an injected clock."""

from __future__ import annotations

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


def _status(code: int) -> ClientError:
    return error_from_response(httpx.Response(code, json={"detail": "x"}))


def test_grows_while_throughput_rises_and_holds_when_flat() -> None:
    clock = Clock()
    limit = AdaptiveLimit(32, start=4, clock=clock)
    _round(limit, clock, 1.0)  # first round: grows
    assert limit.current == 5
    _round(limit, clock, 1.0)  # 5/s after 4/s: rising
    assert limit.current == 6
    _round(limit, clock, 6 / 5)  # 5/s again: flat, holds
    assert limit.current == 6
    _round(limit, clock, 0.5)  # 12/s: rising again
    assert limit.current == 7


def test_a_round_lasts_at_least_min_round() -> None:
    clock = Clock()
    limit = AdaptiveLimit(32, start=4, min_round=0.1, clock=clock)
    _round(limit, clock, 0.05)  # 4 completions in 50 ms: the round goes on
    assert limit.current == 4
    clock.t += 0.05
    limit.observe(Signal.OK, clock.t)  # 100 ms: it ends, and grows
    assert limit.current == 5


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
