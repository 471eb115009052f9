"""Every flow that retries asks the classifier through the one retry loop, and acts on its answer.

Each flow (ordinary calls, a storage PUT, a data-file POST, a chunk PUT, a chunked finalize,
an upload-state read) is stepped without I/O: the first request of interest fails with a
status, everything else succeeds. A policy notes every question (the :class:`Kind`, the
answer, and which function asked: ``retry_loop``); the table pins, per flow and failure, the
kind asked and the one thing the flow then did.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from synapse_client.models import ChunkedUpload

from synapse_ext import ResumePoint
from synapse_ext._flow import SAFE, STORAGE, UNSAFE, Blocking, Call, Kind, Sleep, retrying
from synapse_ext._wire import operations as ops
from synapse_ext._wire.call import Op, RawRequest
from synapse_ext.errors import ClientError, ResponseLostError, ServerError, ValidationError
from synapse_ext.policy import Decision, RetryPolicy
from synapse_ext.upload._data_file import create_data_file_flow
from synapse_ext.upload._presigned import PutTarget, _put

from .chunk_engine_harness import Advance, Created, Finalize, Put, Read, chunked_upload_flow
from .chunk_engine_harness import Sleep as ChunkSleep

NOW = datetime(2026, 1, 15, tzinfo=UTC)
DATA = bytes(range(20))


@attrs.frozen
class AskedPolicy(RetryPolicy):
    """A RetryPolicy that notes every ``decide``: status, kind, answer and the asking function."""

    asked: list[tuple[int | None, Kind, Decision, str]] = attrs.field(factory=list, eq=False)

    def decide(self, error: ClientError, **kind: bool) -> Decision:  # type: ignore[override]
        answer = RetryPolicy.decide(self, error, **kind)
        caller = sys._getframe(1).f_code.co_name
        self.asked.append((error.status_code, Kind(**kind), answer, caller))
        return answer


class Task:
    def advance(self, n: int, **kwargs: object) -> None:
        return None


def zero(low: float, high: float) -> float:
    return 0.0


def failure(name: str) -> ClientError:
    if name == "lost":
        return ResponseLostError("reset")
    status = int(name)
    return ValidationError(status, "bad") if status < 500 else ServerError(status, "failed")


Run = Callable[[AskedPolicy, ClientError, Path], str]


def run_flow(flow: Any, answer: Callable[[Any], Any]) -> tuple[list[str], BaseException | None]:
    """Step ``flow``, answering each intent with ``answer``; the names of the intents seen and
    the exception the flow raised, if any."""
    seen: list[str] = []
    reply: Any = None
    try:
        while True:
            intent = flow.send(reply)
            if isinstance(intent, Sleep | ChunkSleep):
                seen.append("sleep")
                reply = None
            elif isinstance(intent, Call):
                seen.append(intent.op.name)
                reply = answer(intent)
            elif isinstance(intent, Blocking):
                reply = intent.fn(*intent.args)
            elif isinstance(intent, Advance | Created):
                reply = None
            else:
                seen.append(type(intent).__name__)
                reply = answer(intent)
    except StopIteration:
        return seen, None
    except ClientError as exc:
        return seen, exc


def once(error: ClientError, name: str, ok: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An answer function: ``error`` for the first request named ``name``, else ``ok``."""
    failed: list[bool] = []

    def answer(intent: Any) -> Any:
        named = getattr(getattr(intent, "op", None), "name", type(intent).__name__)
        if named == name and not failed:
            failed.append(True)
            return error
        return ok(intent)

    return answer


def outcome(seen: list[str], raised: BaseException | None, name: str) -> str:
    """What the flow did after its first ``name`` failed: asked the server something else
    first, sent ``name`` again, or raised."""
    after = seen[seen.index(name) + 1 :]
    upto = after[: after.index(name)] if name in after else after
    asked = [s for s in upto if s != "sleep"]
    if asked:
        return f"asked {asked[0]}"
    return "resent" if name in after else "raised" if raised is not None else "returned"


# -- the flows ------------------------------------------------------------------------------


def get(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    flow = retrying(ops.get_collection(1, None), policy, zero)
    seen, raised = run_flow(flow, once(error, "get_data_collection", lambda i: "ok"))
    return outcome(seen, raised, "get_data_collection")


def tasks_post(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    flow = retrying(ops.new_tasks(1, [1]), policy, zero)
    seen, raised = run_flow(flow, once(error, "create_tasks", lambda i: []))
    return outcome(seen, raised, "create_tasks")


def storage_put(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    path = tmp / "a.bin"
    path.write_bytes(DATA)
    target = PutTarget(path, len(DATA), Task(), 30.0)

    def stored(intent: Any) -> str:
        intent.op.endpoint.digest.update(DATA)  # what a driver streams
        return hashlib.md5(DATA).hexdigest()

    flow = _put(target, "https://bucket.example/k?X-Amz-Signature=s", 0, len(DATA), "a.bin",
                policy, zero)  # fmt: skip
    seen, raised = run_flow(flow, once(error, "storage_put", stored))
    return outcome(seen, raised, "storage_put")


def data_file_post(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    op: Op[Any] = Op("create_data_file", RawRequest("POST", "https://api.example/data_files/"),
                     str, str, safe=False)  # fmt: skip
    path = tmp / "a.bin"
    path.write_bytes(DATA)

    def ok(intent: Any) -> Any:
        return set() if intent.op.name == "verify_data_file_checksums" else "data file"

    seen, raised = run_flow(
        create_data_file_flow(op, path, None, policy, zero), once(error, "create_data_file", ok)
    )
    return outcome(seen, raised, "create_data_file")


class Chunks:
    """A chunked-upload server for the harness's views: one upload, ``u1``."""

    def __init__(self) -> None:
        self.stored = bytearray()
        self.done = False

    def state(self) -> ChunkedUpload:
        return ChunkedUpload(id="u1", url="https://api.synapse.sh/chunked_upload/u1/",
                             offset=len(self.stored), status=2 if self.done else 1,
                             completed_at=NOW if self.done else None)  # fmt: skip

    def __call__(self, view: Any) -> Any:
        if isinstance(view, Read):
            return DATA[view.start : view.start + view.length]
        if isinstance(view, Put):
            view.digest.update(view.data)
            self.stored += view.data
        elif isinstance(view, Finalize):
            self.done = True
        return self.state()


def chunk_run(error: ClientError, name: str, policy: AskedPolicy, nth: int = 1, **kw: Any) -> str:
    """The chunk engine over 2 chunks; the ``nth`` view named ``name`` fails with ``error``."""
    server, count = Chunks(), [0]

    def answer(view: Any) -> Any:
        if type(view).__name__ == name:
            count[0] += 1
            if count[0] == nth:
                return error
        return server(view)

    seen, raised = run_flow(chunked_upload_flow(len(DATA), 10, policy, zero, **kw), answer)
    seen = [s for s in seen if s != "Read"]
    at = [i for i, s in enumerate(seen) if s == name][nth - 1]
    return outcome(seen[at:], raised, name)


def chunk_put(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    return chunk_run(error, "Put", policy, nth=2)  # the second chunk: the upload has an id


def chunked_finalize(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    return chunk_run(error, "Finalize", policy)


def upload_state(policy: AskedPolicy, error: ClientError, tmp: Path) -> str:
    server = Chunks()
    server.stored += DATA[:10]
    seen, raised = run_flow(
        chunked_upload_flow(len(DATA), 10, policy, zero, resume=ResumePoint("u1")),
        once(error, "GetState", server),
    )
    return outcome([s for s in seen if s != "Read"], raised, "GetState")


# -- the table: flow and failure → the kind asked and what the flow did ------------------------

R, C, F = Decision.RETRY, Decision.RECONCILE, Decision.FAIL
FAILURES = ("503", "502", "422", "lost")
VERIFY = "asked verify_data_file_checksums"
TABLE: list[tuple[str, Run, Kind, tuple[tuple[Decision, str], ...]]] = [
    ("get (retrying)", get, SAFE,
     ((R, "resent"), (R, "resent"), (F, "raised"), (R, "resent"))),
    ("tasks POST (retrying)", tasks_post, UNSAFE,
     ((R, "resent"), (C, "raised"), (F, "raised"), (C, "raised"))),
    ("storage PUT", storage_put, STORAGE,
     ((R, "resent"), (R, "resent"), (F, "raised"), (R, "resent"))),
    ("data-file POST", data_file_post, UNSAFE,
     ((R, "resent"), (C, VERIFY), (F, "raised"), (C, VERIFY))),
    ("chunk PUT", chunk_put, UNSAFE,
     ((R, "asked GetState"), (C, "asked GetState"), (F, "raised"), (C, "asked GetState"))),
    ("chunked finalize", chunked_finalize, UNSAFE,
     ((R, "resent"), (C, "asked GetState"), (F, "raised"), (C, "asked GetState"))),
    ("upload state (resume)", upload_state, SAFE,
     ((R, "resent"), (R, "resent"), (F, "raised"), (R, "resent"))),
]  # fmt: skip
CASES = [
    pytest.param(run, name, kind, decision, action, id=f"{label}-{name}")
    for label, run, kind, row in TABLE
    for name, (decision, action) in zip(FAILURES, row, strict=True)
]


@pytest.mark.parametrize(("run", "name", "kind", "decision", "action"), CASES)
def test_each_flow_asks_the_loop_with_its_kind_and_acts_on_the_one_answer(
    run: Run, name: str, kind: Kind, decision: Decision, action: str, tmp_path: Path
) -> None:
    policy = AskedPolicy(max_attempts=3)
    error = failure(name)
    assert run(policy, error, tmp_path) == action
    status = error.status_code
    assert policy.asked[0] == (status, kind, decision, "retry_loop")
    assert all(caller == "retry_loop" for *_, caller in policy.asked)


def test_a_chunk_put_on_its_last_attempt_is_raised_without_asking() -> None:
    policy = AskedPolicy(max_attempts=1)
    assert chunk_run(ServerError(503, "busy"), "Put", policy, nth=2) == "raised"
