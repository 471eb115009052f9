"""Drive the pure chunk engine in tests, intent by intent, with readable intent views.

The engine yields the shared intents (``Blocking`` reads, ``Call``s of chunk PUTs, state GETs
and the finalize, ``Sleep``) and reports progress and new uploads through its target. This
harness wraps it so a test sees one view per step (``Read``, ``Put``, ``GetState``,
``Finalize``, ``Sleep``, ``Advance``, ``Created``) and answers it like a server would.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import attrs
from synapse_client.models import ChunkedUpload

from synapse_ext import ResumePoint, RetryPolicy
from synapse_ext._flow import Blocking, Call, Sleep
from synapse_ext.upload._chunked import ChunkTarget
from synapse_ext.upload._chunked import chunked_upload_flow as real_flow

BASE = "https://api.synapse.sh"

__all__ = [
    "Advance",
    "Created",
    "Finalize",
    "GetState",
    "Put",
    "Read",
    "Sleep",
    "chunked_upload_flow",
]


@attrs.frozen
class Read:
    start: int
    length: int
    digest: Any = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen
class Ref:
    id: str


@attrs.frozen
class Put:
    upload: Ref | None
    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>")
    content_range: str
    digest: Any = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen
class GetState:
    upload_id: str


@attrs.frozen
class Finalize:
    upload: Ref
    md5: str


@attrs.frozen
class Advance:
    n: int


@attrs.frozen
class Created:
    upload: ChunkedUpload


class _Alongside:
    """Stands for the MD5 the driver updates alongside a PUT: ``update`` runs that work."""

    def __init__(self, work: Callable[[], object] | None) -> None:
        self._work = work

    def update(self, data: bytes) -> None:
        if self._work is not None:
            self._work()


def _view(intent: Any) -> Any:
    if isinstance(intent, Sleep):
        return intent
    if isinstance(intent, Blocking):
        if intent.fn.__name__ == "read_range":
            _, start, length, digest = intent.args
            return Read(start, length, digest)
        return Created(intent.args[0])
    assert isinstance(intent, Call), intent
    op = intent.op
    if op.name in ("upload_chunk", "create_chunked_upload"):
        with op.arguments() as extra:
            data = extra["body"].file.payload.getvalue()
        upload = Ref(op.args[0]) if op.args else None
        return Put(upload, data, op.kwargs["content_range"], _Alongside(intent.alongside))
    if op.name == "get_chunked_upload":
        return GetState(op.args[0])
    if op.name == "complete_chunked_upload":
        return Finalize(Ref(op.args[0]), op.kwargs["body"].md5)
    raise AssertionError(f"unexpected call {op.name}")


class _Task:
    def __init__(self, events: list[Any]) -> None:
        self.events = events

    def advance(self, n: int, **kwargs: Any) -> None:
        self.events.append(Advance(n))


def chunked_upload_flow(
    total: int,
    chunk_size: int,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float] = lambda a, b: 0.0,
    *,
    resume: ResumePoint | None = None,
) -> Generator[Any, Any, ChunkedUpload]:
    """The real engine over an in-memory target, one view per step."""
    events: list[Any] = []
    target = ChunkTarget(Path("memory.bin"), BASE, 30.0, _Task(events), on_upload=lambda u: None)
    inner = real_flow(target, total, chunk_size, policy, uniform, resume=resume)
    answer: Any = None
    while True:
        try:
            intent = inner.send(answer)
        except StopIteration as stop:
            yield from events
            return stop.value  # type: ignore[no-any-return]
        while events:
            yield events.pop(0)
        view = _view(intent)
        answer = yield view
        if isinstance(view, Created | Sleep):
            answer = None
