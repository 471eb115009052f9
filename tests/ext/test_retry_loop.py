"""The one retry loop (``synapse_ext._flow.retry``), alone: a pure flow stepped by a tiny driver.

The driver answers each ``Call`` from a script (a value or a ``ClientError``) and records every
intent; sleeps are asked, never taken. The last test runs the worked example of the loop's
docstring (a unit batch: split, reconcile, "answer incomplete") against a scripted server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from synapse_ext._flow import (
    SAFE,
    STORAGE,
    UNSAFE,
    UNSAFE_BATCH,
    Again,
    Call,
    Failure,
    Flow,
    Kind,
    Sleep,
    retry_loop,
    retrying,
)
from synapse_ext._wire import operations as ops
from synapse_ext._wire.call import Op, RawRequest
from synapse_ext.errors import (
    ClientError,
    ProtocolError,
    RateLimitError,
    ResponseLostError,
    ServerError,
    ValidationError,
)
from synapse_ext.policy import Decision, RetryPolicy

POLICY = RetryPolicy(max_attempts=4, base=1.0)


def top(low: float, high: float) -> float:
    """A ``uniform`` that always answers the upper bound: backoff n waits 2**n seconds."""
    return high


def op(name: str = "get_thing", *, safe: bool = True) -> Op[str]:
    return Op(name, RawRequest("GET", "https://api.example/thing/"), str, str, safe=safe)


class Driver:
    """Answers ``Call``s in order from ``script`` (or a function of the op); records
    ``("call", name)`` and ``("sleep", seconds)``; never sleeps."""

    def __init__(self, script: Sequence[object] | Callable[[Op[Any]], object]) -> None:
        self.serve = script if callable(script) else None
        self.script = [] if callable(script) else list(script)
        self.trace: list[tuple[str, object]] = []

    def run(self, flow: Flow[Any]) -> Any:
        answer: Any = None
        while True:
            try:
                intent = flow.send(answer)
            except StopIteration as stop:
                return stop.value
            if isinstance(intent, Sleep):
                self.trace.append(("sleep", intent.seconds))
                answer = None
            elif isinstance(intent, Call):
                self.trace.append(("call", intent.op.name))
                answer = self.serve(intent.op) if self.serve else self.script.pop(0)
            else:  # pragma: no cover - the loop yields nothing else
                raise AssertionError(intent)

    @property
    def calls(self) -> int:
        return sum(1 for what, _ in self.trace if what == "call")

    @property
    def sleeps(self) -> list[object]:
        return [s for what, s in self.trace if what == "sleep"]


def limited(status: int, retry_after: str) -> RateLimitError:
    response = httpx.Response(status, headers={"Retry-After": retry_after})
    return RateLimitError(status, "slow down", response)


# -- RETRY: sleeps asked, attempts counted ------------------------------------------------------


def test_a_success_is_returned_with_no_sleep() -> None:
    driver = Driver(["ok"])
    assert driver.run(retrying(op(), POLICY, top)) == "ok"
    assert driver.trace == [("call", "get_thing")]


def test_retry_sleeps_the_policy_backoff_between_sends() -> None:
    driver = Driver([ServerError(503, "busy"), ServerError(502, "bad"), "ok"])
    assert driver.run(retrying(op(), POLICY, top)) == "ok"
    assert driver.trace == [
        ("call", "get_thing"),
        ("sleep", 1.0),
        ("call", "get_thing"),
        ("sleep", 2.0),
        ("call", "get_thing"),
    ]


def test_retry_after_comes_first_and_is_capped() -> None:
    driver = Driver([limited(429, "7"), limited(503, "3600"), "ok"])
    driver.run(retrying(op(), POLICY, top))
    assert driver.sleeps == [7.0, POLICY.retry_after_cap]


def test_max_attempts_sends_and_then_raises_the_last_error() -> None:
    errors = [ServerError(503, f"busy {n}") for n in range(4)]
    driver = Driver(errors)
    with pytest.raises(ServerError) as info:
        driver.run(retrying(op(), POLICY, top))
    assert info.value is errors[-1]
    assert driver.calls == 4 and driver.sleeps == [1.0, 2.0, 4.0]


def test_one_attempt_means_no_retry() -> None:
    driver = Driver([ServerError(503, "busy")])
    with pytest.raises(ServerError):
        driver.run(retrying(op(), RetryPolicy(max_attempts=1), top))
    assert driver.trace == [("call", "get_thing")]


def test_exhausted_may_return_instead_of_raising() -> None:
    reasons: list[object] = []

    def report(reason: ClientError | str) -> str:
        reasons.append(reason)
        return "reported"

    error = ServerError(503, "busy")
    driver = Driver([error, error])
    flow = retry_loop(op(), RetryPolicy(max_attempts=2), top, exhausted=report)
    assert driver.run(flow) == "reported"
    assert reasons == [error] and driver.calls == 2


# -- the kind the policy is asked with -------------------------------------------------------


def test_an_unsafe_op_is_asked_as_unsafe_and_its_maybe_applied_failure_raised() -> None:
    lost = ResponseLostError("reset")
    driver = Driver([lost])
    with pytest.raises(ResponseLostError):
        driver.run(retrying(op("new_thing", safe=False), POLICY, top))
    assert driver.calls == 1  # RECONCILE is not RETRY: never resent blindly


def test_the_kind_of_an_op_is_its_own_and_a_storage_put_is_storage(tmp_path: Any) -> None:
    put = ops.storage_put("https://bucket.example/k?X-Amz-Signature=s", tmp_path, 0, 1, None, 1.0)
    assert Kind.of(put) == STORAGE
    assert Kind.of(op(safe=False)) == UNSAFE
    assert Kind.of(op()) == SAFE


@pytest.mark.parametrize(
    ("kind", "error", "expected"),
    [
        (SAFE, ServerError(500, "x"), Decision.RETRY),
        (UNSAFE, ServerError(500, "x"), Decision.RECONCILE),
        (UNSAFE_BATCH, ValidationError(422, "x"), Decision.SPLIT),
        (UNSAFE, ValidationError(422, "x"), Decision.FAIL),
        (STORAGE, ProtocolError(None, "etag"), Decision.RETRY),
        (SAFE, ProtocolError(None, "etag"), Decision.FAIL),
    ],
)
def test_the_loop_acts_on_the_policy_answer_for_its_kind(
    kind: Kind, error: ClientError, expected: Decision
) -> None:
    seen: list[Decision] = []

    def handle(failure: Failure) -> Flow[str]:
        seen.append(failure.decision)
        return "handled"
        yield  # pragma: no cover

    driver = Driver([error, "ok"])
    result = driver.run(retry_loop(op(), POLICY, top, kind=kind, handle=handle))
    if expected is Decision.RETRY:
        assert (result, seen, driver.calls) == ("ok", [], 2)
    else:
        assert (result, seen, driver.calls) == ("handled", [expected], 1)


# -- handlers: RECONCILE, SPLIT, FAIL ---------------------------------------------------------


def test_a_reconcile_that_resends_counts_an_attempt_and_waits() -> None:
    failures: list[Failure] = []

    def handle(failure: Failure) -> Flow[str | Again]:
        failures.append(failure)
        return Again(failure.error)
        yield  # pragma: no cover

    errors = [ServerError(502, "bad") for _ in range(3)]
    driver = Driver(errors)
    with pytest.raises(ServerError) as info:
        driver.run(retry_loop(op(safe=False), RetryPolicy(max_attempts=3, base=1.0), top,
                              handle=handle))  # fmt: skip
    assert info.value is errors[-1]
    assert [(f.decision, f.attempt) for f in failures] == [
        (Decision.RECONCILE, n) for n in range(3)
    ]
    assert driver.calls == 3 and driver.sleeps == [1.0, 2.0]


def test_a_handler_that_asks_the_server_and_finds_the_result_ends_the_loop() -> None:
    def handle(failure: Failure) -> Flow[str | Again]:
        held = yield Call(op("lookup"))
        return str(held) if held else Again(failure.error)

    driver = Driver([ResponseLostError("reset"), "", ServerError(500, "x"), "found"])
    assert driver.run(retry_loop(op("create", safe=False), POLICY, top, handle=handle)) == "found"
    assert driver.trace == [
        ("call", "create"),
        ("call", "lookup"),
        ("sleep", 1.0),
        ("call", "create"),
        ("call", "lookup"),
    ]


def test_attempts_gives_a_handler_resends_beyond_max_attempts_but_not_retry() -> None:
    def handle(failure: Failure) -> Flow[str | Again]:
        return Again(failure.error)
        yield  # pragma: no cover

    one = RetryPolicy(max_attempts=1, base=1.0)
    driver = Driver([ServerError(502, "bad"), "ok"])
    flow = retry_loop(op(safe=False), one, top, handle=handle, attempts=2)
    assert driver.run(flow) == "ok" and driver.calls == 2
    driver = Driver([ServerError(503, "busy"), "ok"])
    with pytest.raises(ServerError):
        driver.run(retry_loop(op(safe=False), one, top, handle=handle, attempts=2))
    assert driver.calls == 1


def test_the_default_handler_raises_a_fail_at_once() -> None:
    driver = Driver([ValidationError(400, "bad")])
    with pytest.raises(ValidationError):
        driver.run(retrying(op(), POLICY, top))
    assert driver.calls == 1 and driver.sleeps == []


def test_an_attempt_may_ask_again_at_once_and_the_text_reaches_exhausted() -> None:
    sent: list[int] = []

    def send() -> Flow[str | ClientError | Again]:
        answer = yield Call(op("part"))
        sent.append(1)
        return Again("answer incomplete", wait=False) if answer == "partial" else str(answer)

    driver = Driver(["partial", "ok"])
    assert driver.run(retry_loop(send, POLICY, top, kind=SAFE, label="part")) == "ok"
    assert driver.sleeps == []
    driver = Driver(["partial"] * 4)
    with pytest.raises(ProtocolError, match="answer incomplete"):
        driver.run(retry_loop(send, POLICY, top, kind=SAFE, label="part"))
    assert driver.calls == 4


def test_an_attempt_flow_needs_its_kind_and_label() -> None:
    def send() -> Flow[str | ClientError | Again]:
        return (yield Call(op()))  # type: ignore[no-any-return]

    with pytest.raises(TypeError, match="kind= and label="):
        next(retry_loop(send, POLICY, top))


def test_one_log_line_per_retry_with_the_label_and_status_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="synapse_ext")
    secret = "https://bucket.example/key?X-Amz-Signature=deadbeef"
    Driver([ServerError(503, f"see {secret}"), ResponseLostError(secret), "ok"]).run(
        retrying(op(), POLICY, top)
    )
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "retrying get_thing after 503 (attempt 1), sleeping 1.00s",
        "retrying get_thing after ResponseLostError (attempt 2), sleeping 2.00s",
    ]


# -- the worked example of the loop's docstring: a unit batch --------------------------------

Reply = Callable[[tuple[str, ...]], object]


class Units:
    """A scripted ``POST data_units/``: ``reply`` answers each POST (the units created, or an
    error); ``held`` is what a listing of the collection shows."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.held: set[str] = set()
        self.posts: list[tuple[str, ...]] = []

    def __call__(self, sent: Op[Any]) -> object:
        if sent.name == "list_units":
            return sorted(self.held)
        units: tuple[str, ...] = sent.args
        self.posts.append(units)
        answer = self.reply(units)
        if isinstance(answer, list):
            self.held.update(answer)
        return answer


def new_units(units: Sequence[str]) -> Op[Any]:
    return Op("new_units", RawRequest("POST", "https://api.example/units/"), str, str,
              args=tuple(units), safe=False)  # fmt: skip


def unit_batch(batch: list[str], policy: RetryPolicy, failed: dict[str, object]) -> Flow[None]:
    """The docstring's example, with the listing as one call."""
    pending = list(batch)

    def send() -> Flow[ClientError | Again | None]:
        answer = yield Call(new_units(pending))
        if isinstance(answer, ClientError):
            return answer
        pending[:] = [u for u in pending if u not in answer]
        return Again("answer incomplete", wait=False) if pending else None

    def report(reason: ClientError | str) -> None:
        failed.update(dict.fromkeys(pending, reason))

    def handle(failure: Failure) -> Flow[Again | None]:
        if failure.decision is Decision.SPLIT and len(pending) > 1:
            half = len(pending) // 2
            yield from unit_batch(pending[:half], policy, failed)
            yield from unit_batch(pending[half:], policy, failed)
            return None
        if failure.decision is Decision.RECONCILE:
            held = yield Call(op("list_units"))
            pending[:] = [u for u in pending if u not in held]
            return Again(failure.error) if pending else None
        report(failure.error)
        return None

    yield from retry_loop(
        send, policy, top, kind=UNSAFE_BATCH, label="data_units", handle=handle, exhausted=report
    )


def run_units(server: Units, batch: list[str]) -> tuple[dict[str, object], Driver]:
    failed: dict[str, object] = {}
    driver = Driver(server)
    driver.run(unit_batch(batch, POLICY, failed))
    return failed, driver


def test_unit_batch_a_rejected_batch_is_bisected_to_the_bad_unit() -> None:
    def reply(units: tuple[str, ...]) -> object:
        return ValidationError(422, "bad unit") if "c" in units else list(units)

    server = Units(reply)
    failed, driver = run_units(server, ["a", "b", "c", "d"])
    assert server.posts == [("a", "b", "c", "d"), ("a", "b"), ("c", "d"), ("c",), ("d",)]
    assert list(failed) == ["c"] and server.held == {"a", "b", "d"}
    assert driver.sleeps == []


def test_unit_batch_maybe_applied_is_reconciled_and_only_the_missing_resent() -> None:
    answers: list[object] = []

    def reply(units: tuple[str, ...]) -> object:
        if not answers:  # the first POST: "a" committed, then the answer was lost
            answers.append(units)
            server.held.add("a")
            return ResponseLostError("reset")
        return list(units)

    server = Units(reply)
    failed, driver = run_units(server, ["a", "b"])
    assert server.posts == [("a", "b"), ("b",)]
    assert failed == {} and server.held == {"a", "b"}
    assert driver.trace == [
        ("call", "new_units"),
        ("call", "list_units"),
        ("sleep", 1.0),
        ("call", "new_units"),
    ]


def test_unit_batch_an_answer_that_stays_incomplete_is_reported_after_max_attempts() -> None:
    server = Units(lambda units: list(units[1:]))  # every answer leaves out its first unit
    failed, driver = run_units(server, ["a", "b", "c"])
    assert server.posts == [("a", "b", "c"), ("a",), ("a",), ("a",)]  # max_attempts POSTs
    assert failed == {"a": "answer incomplete"} and server.held == {"b", "c"}
    assert driver.sleeps == []
