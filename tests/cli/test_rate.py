"""The smoothed rate and ETA of the progress displays, on an injected clock."""

from __future__ import annotations

import math
import re

import pytest

from synapse_ext.cli.live import PlainProgress
from synapse_ext.cli.rate import RateMeter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _steady(meter: RateMeter, clock: Clock, step: float, every: float, until: float) -> None:
    """A step of ``step`` every ``every`` seconds from now until ``until``."""
    while clock.now < until - 1e-9:
        clock.now += every
        meter.add(step)


def test_a_steady_rate_is_measured_exactly_once_warmed_up() -> None:
    clock = Clock()
    meter = RateMeter(clock, tau=5.0, warmup=2.0)
    assert meter.rate() is None and meter.eta(100) is None
    meter.add(100)  # the first step: how long it took is unknown
    _steady(meter, clock, 100, 0.5, 1.5)
    assert meter.rate() is None  # 1.5 s of steps: still warming up
    clock.now = 2.0
    meter.add(100)
    assert meter.rate() == pytest.approx(200)
    _steady(meter, clock, 100, 0.5, 12.0)
    assert meter.rate() == pytest.approx(200)
    assert meter.eta(1000) == pytest.approx(5.0)


def test_the_time_before_the_first_step_is_not_part_of_the_rate() -> None:
    clock = Clock()
    meter = RateMeter(clock)
    clock.now = 30.0  # listing and hashing: nothing moves
    meter.add(10)
    _steady(meter, clock, 10, 1.0, 34.0)
    assert meter.rate() == pytest.approx(10)  # not 40 units / 34 s


def test_the_rate_follows_a_change_within_a_few_time_constants() -> None:
    clock = Clock()
    meter = RateMeter(clock, tau=2.0, warmup=0.0)
    meter.add(100)
    _steady(meter, clock, 100, 0.25, 10.0)  # 400/s
    _steady(meter, clock, 25, 0.25, 20.0)  # then 100/s for five time constants
    # The weight of the first 10 s, of 20 s measured, is e^-5 - e^-10 (over 1 - e^-10).
    old = (math.exp(-5) - math.exp(-10)) / -math.expm1(-10)
    assert meter.rate() == pytest.approx(100 + 300 * old)


def test_a_stall_decays_the_rate_after_a_time_constant() -> None:
    clock = Clock()
    meter = RateMeter(clock, tau=5.0, warmup=0.0)
    meter.add(100)
    _steady(meter, clock, 100, 0.5, 10.0)
    clock.now = 14.0  # quiet for less than tau: the last rate holds
    assert meter.rate() == pytest.approx(200)
    clock.now = 20.0  # quiet for 10 s: one tau beyond
    assert meter.rate() == pytest.approx(200 * math.exp(-1))


def test_a_burst_at_one_instant_adds_its_share_without_a_spike() -> None:
    clock = Clock()
    meter = RateMeter(clock, tau=5.0, warmup=0.0)
    meter.add(100)
    _steady(meter, clock, 100, 1.0, 10.0)
    before = meter.rate()
    for _ in range(10):
        meter.add(100)  # ten uploads answered at the same instant
    assert before is not None
    assert meter.rate() == pytest.approx(before + 1000 / 5.0 / -math.expm1(-10 / 5.0))


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="tau"):
        RateMeter(tau=0)


def test_a_two_second_job_never_shows_minutes() -> None:
    """Issue 26: ``--progress plain`` printed ``ETA 0:04:27`` for a 2-second job."""
    clock = Clock()
    lines: list[str] = []
    reporter = PlainProgress(lines.append, interval=0.1, clock=clock)
    with reporter.task(total=300, desc="data units", unit="group") as task:
        clock.now = 0.9
        task.advance(1)  # a group done early (e.g. already present)
        for step in range(1, 11):
            clock.now = 0.9 + step * 0.11
            task.advance(29 if step < 10 else 38)
    assert lines[-1].startswith("progress: data units 300/300 groups (done)")
    etas = [re.search(r"ETA (\d+):(\d\d):(\d\d)", line) for line in lines]
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in (e.groups() for e in etas if e)]
    assert all(s < 10 for s in seconds), lines
