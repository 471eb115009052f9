"""The chunked-upload engine: a pure flow (sans I/O) over the shared intents.

It yields ``Blocking`` reads of exact-length pieces of the local file, ``Call``s of the chunk
PUTs, state GETs and the finalize POST, and ``Sleep``s; it receives each answer (bytes, a
``ChunkedUpload`` or the ``ClientError`` a call failed with) and returns the completed
``ChunkedUpload``. The sync and async drivers only perform those intents.

Rules it enforces:

* chunks are exact-length reads made afresh for every attempt; MD5 is updated once per
  acknowledged chunk, in order: each PUT runs ``pending.update(data)`` *alongside* the request
  (MD5 and the network overlap) on a copy of the running MD5, which becomes the running MD5
  only once the chunk is acknowledged;
* after a failed or ambiguous chunk it asks the server for the offset and resumes from it,
  accepting only "not applied" (same start) or "applied" (start + length); anything else,
  backwards or beyond, is a ``ProtocolError``;
* a finalize whose outcome is unknown is never re-posted: the upload state is polled
  (jittered, bounded) until ``completed_at`` is set;
* peak memory is one chunk held here plus what the transport buffers for it;
* ``resume=ResumePoint(id)`` continues an upload of an earlier run: the server's state
  (``GET``) decides: complete → returned as is; 404/410, an offset beyond the file or a
  different size → a new upload from byte 0; otherwise the sent prefix is re-hashed locally
  (chunk-sized reads) and sending continues at the server's offset;
* an upload the server reports gone (404/410) while chunks or the finalize are sent is
  started over from byte 0, once per flow;
* ``on_upload(upload)`` runs (as blocking work) as soon as the server accepted the first
  chunk of a new upload, so a caller can persist the id before any further byte is sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import attrs
from synapse_client.models import ChunkedUpload

from .._flow import SAFE, UNSAFE, Again, Blocking, Call, Failure, Flow, Sleep, retry_loop
from .._wire import operations as ops
from ..errors import (
    ClientError,
    ProtocolError,
)
from ..policy import Decision, RetryPolicy, Uniform
from ..progress import ProgressTask
from ..sources import FileRef
from ._files import read_range

__all__ = ["ChunkTarget", "ResumePoint", "chunk_plan", "chunked_upload_flow", "content_range"]

logger = logging.getLogger("synapse_ext")


@attrs.frozen
class ResumePoint:
    """An upload of an earlier run to continue.

    ``offset`` is only what the caller last knew (for logs): the server's offset decides.
    """

    upload_id: str
    offset: int | None = None


@attrs.frozen
class ChunkTarget:
    """Where the chunks come from and go: the file, the server, progress, the id hook."""

    path: FileRef
    base_url: str
    read_timeout: float
    task: ProgressTask
    on_upload: Callable[[ChunkedUpload], object] | None = None

    def read(self, start: int, length: int, digest: Any = None) -> Blocking[bytes]:
        """Read ``length`` bytes at ``start`` (updating ``digest`` with them, if given)."""
        return Blocking(read_range, (self.path, start, length, digest))

    def put(
        self, upload: ChunkedUpload | None, data: bytes, crange: str, pending: Any
    ) -> Call[ChunkedUpload]:
        """PUT one chunk while ``pending`` (an MD5 copy) is updated with it alongside."""
        op = ops.put_chunk(upload, self.base_url, self.path.name, data, crange, self.read_timeout)
        return Call(op, alongside=lambda: pending.update(data))

    def state(self, upload_id: str) -> Call[ChunkedUpload]:
        return Call(ops.get_upload(upload_id))

    def finalize(self, upload: ChunkedUpload, md5: str) -> Call[ChunkedUpload]:
        return Call(ops.complete_upload(upload, md5, self.read_timeout))


def content_range(start: int, length: int, total: int) -> str:
    """``bytes start-end/total`` with an inclusive end (Python ints: exact beyond 4 GiB)."""
    if length <= 0 or start < 0 or start + length > total:
        raise ValueError(f"bad chunk: start={start} length={length} total={total}")
    return f"bytes {start}-{start + length - 1}/{total}"


def chunk_plan(total: int, chunk_size: int) -> list[tuple[int, int]]:
    """The ``(start, length)`` of every chunk of a ``total``-byte file."""
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    return [(s, min(chunk_size, total - s)) for s in range(0, total, chunk_size)]


def _offset_mismatch(error: ClientError) -> bool:
    detail = error.detail
    return (
        error.status_code == 400
        and isinstance(detail, dict)
        and ("offset" in detail or "expected_offset" in detail)
    )


def _check_state(state: Any, what: str) -> ChunkedUpload:
    if not isinstance(state, ChunkedUpload):
        raise ProtocolError(None, f"{what}: expected an upload state, got {type(state).__name__}")
    return state


GONE = frozenset({404, 410})
"""Statuses saying an upload no longer exists (unknown id, expired)."""


class _Gone(Exception):
    """The server says the upload is gone (404/410): start a new one."""

    def __init__(self, error: ClientError) -> None:
        super().__init__(str(error))
        self.error = error


@attrs.frozen
class _Start:
    """Where sending begins: an existing upload and the MD5 of its stored prefix."""

    upload: ChunkedUpload
    md5: Any = attrs.field(repr=False)


@attrs.frozen
class _Run:
    """One chunked upload: the target, the sizes and the retry rules."""

    target: ChunkTarget
    total: int
    chunk_size: int
    policy: RetryPolicy
    uniform: Uniform


def chunked_upload_flow(
    target: ChunkTarget,
    total: int,
    chunk_size: int,
    policy: RetryPolicy,
    uniform: Uniform,
    *,
    resume: ResumePoint | None = None,
) -> Flow[ChunkedUpload]:
    """Upload ``total`` bytes in ``chunk_size`` chunks, then finalize; returns the final state.

    With ``resume``, continue that upload from the server's offset when it still can be.
    """
    if total <= 0:
        raise ValueError("chunked upload of an empty file")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    run = _Run(target, total, chunk_size, policy, uniform)
    start: _Start | None = None
    if resume is not None:
        found = yield from _resume(run, resume)
        if isinstance(found, ChunkedUpload):
            return found
        start = found
    restarted = False
    while True:
        try:
            upload, md5 = yield from _send(run, start)
            return (yield from _finalize(run, upload, md5.hexdigest()))
        except _Gone as gone:
            if restarted:
                raise gone.error from None
            logger.warning("upload gone (%s); starting a new upload from byte 0", gone.error)
            restarted, start = True, None


def _unusable(state: ChunkedUpload, point: ResumePoint, total: int) -> str | None:
    """Why the server's state of ``point`` cannot continue a ``total``-byte file, if so."""
    if str(state.id) != str(point.upload_id):
        return f"the server answered for upload {state.id}"
    if not 0 <= state.offset <= total:
        return f"server offset {state.offset} is outside the file's {total} bytes"
    if isinstance(state.size, int) and state.size != total:
        return f"the upload holds {state.size} bytes, the file has {total}"
    if state.completed_at and state.offset != total:
        return f"complete with {state.offset} bytes, the file has {total}"
    return None


def _fetch_state(run: _Run, upload_id: str) -> Flow[ChunkedUpload | None]:
    """The upload's state (retrying transient errors); None when the server says it is gone."""

    def gone(failure: Failure) -> Flow[ChunkedUpload | None]:
        if failure.error.status_code not in GONE:
            raise failure.error
        logger.warning(
            "upload %s is gone (%s); starting over from byte 0", upload_id, failure.error
        )
        return None
        yield  # pragma: no cover - a generator

    def fetch() -> Flow[ChunkedUpload | ClientError | None]:
        return (yield run.target.state(upload_id))  # type: ignore[no-any-return]

    state = yield from retry_loop(
        fetch, run.policy, run.uniform, kind=SAFE, label="chunked_upload state", handle=gone
    )
    return None if state is None else _check_state(state, "chunked_upload state")


def _resume(run: _Run, point: ResumePoint) -> Flow[ChunkedUpload | _Start | None]:
    """Complete upload as is, or where to continue (prefix re-hashed), or None: start over."""
    total = run.total
    state = yield from _fetch_state(run, point.upload_id)
    if state is None:
        return None
    why = _unusable(state, point, total)
    if why is not None:
        logger.warning("upload %s not resumed (%s); starting over", point.upload_id, why)
        return None
    if state.completed_at:
        logger.info("upload %s is already complete", state.id)
        run.target.task.advance(total)
        return state
    md5 = hashlib.md5(usedforsecurity=False)
    for begin, length in chunk_plan(state.offset, run.chunk_size):
        data = yield run.target.read(begin, length, md5)
        if len(data) != length:
            raise ProtocolError(None, f"local file changed: read {len(data)} of {length} bytes")
    logger.info(
        "resuming upload %s at byte %d of %d (last known locally: %s)",
        state.id,
        state.offset,
        total,
        point.offset,
    )
    if state.offset:
        run.target.task.advance(state.offset)
    return _Start(state, md5)


def _send(run: _Run, start: _Start | None) -> Flow[tuple[ChunkedUpload, Any]]:
    """Send every chunk from ``start`` (or byte 0); returns the last state and the MD5."""
    total, chunk_size, target = run.total, run.chunk_size, run.target
    upload = start.upload if start is not None else None
    md5 = start.md5 if start is not None else hashlib.md5(usedforsecurity=False)
    offset = upload.offset if upload is not None else 0
    while offset < total:
        length = min(chunk_size, total - offset)
        state_, pending = yield from _send_chunk(run, upload, md5, offset, length)
        if state_.offset != offset + length:
            raise ProtocolError(
                None,
                f"server offset {state_.offset} is neither {offset} nor {offset + length} "
                f"(never resume backwards or beyond the chunk sent)",
            )
        if upload is not None and state_.id != upload.id:
            raise ProtocolError(None, f"upload id changed from {upload.id} to {state_.id}")
        md5 = pending  # updated by the driver with exactly the chunk's bytes
        created = upload is None
        upload = state_
        offset = state_.offset
        if created and target.on_upload is not None:
            yield Blocking(target.on_upload, (upload,))  # persist the id before more is sent
        target.task.advance(length)
    if upload is None:  # pragma: no cover - total > 0 always sends or resumes
        raise ProtocolError(None, "no upload to finalize")
    return upload, md5


def _send_chunk(
    run: _Run, upload: ChunkedUpload | None, md5: Any, offset: int, length: int
) -> Flow[tuple[ChunkedUpload, Any]]:
    """PUT the chunk at ``offset`` until the server holds it: the server's state after it and
    the MD5 of the file up to its end (``md5`` updated with the chunk's bytes).

    A failure worth asking about (the policy says RETRY or RECONCILE, or the server's offset
    disagrees) waits, then asks the server's offset before sending again: the chunk is sent
    again only if it was not stored. The caller checks that the state is at the chunk's end.
    """
    target = run.target
    crange = content_range(offset, length, run.total)
    sent: list[Any] = []  # the MD5 of the last attempt: the driver updates it alongside the PUT

    def attempt() -> Flow[tuple[ChunkedUpload, Any] | ClientError]:
        if sent and upload is not None:  # an attempt failed: is the chunk stored after all?
            state = yield target.state(upload.id)
            if not isinstance(state, ClientError):
                found = _check_state(state, "chunked_upload state")
                if found.offset != offset:
                    return found, sent[0]
        data = yield target.read(offset, length)
        if len(data) != length:
            raise ProtocolError(None, f"local file changed: read {len(data)} of {length} bytes")
        sent[:] = [md5.copy()]
        result = yield target.put(upload, data, crange, sent[0])
        if isinstance(result, ClientError):
            return result
        return _check_state(result, "chunk answer"), sent[0]

    def handle(failure: Failure) -> Flow[tuple[ChunkedUpload, Any] | Again]:
        error = failure.error
        if upload is not None and error.status_code in GONE:
            raise _Gone(error)
        if failure.decision is Decision.FAIL and not _offset_mismatch(error):
            raise error
        return Again(error)  # not processed, maybe applied, or offsets disagree: ask first
        yield  # pragma: no cover - a generator

    return (
        yield from retry_loop(
            attempt, run.policy, run.uniform, kind=UNSAFE, label=f"chunk {crange}", handle=handle
        )
    )


def _finalize(run: _Run, upload: ChunkedUpload, md5: str) -> Flow[ChunkedUpload]:
    """POST the finalize; a RETRY (certainly not applied) resends it, an unknown outcome polls
    the upload's state and never posts it again."""

    def handle(failure: Failure) -> Flow[ChunkedUpload]:
        if failure.error.status_code in GONE:
            raise _Gone(failure.error)
        if failure.decision is not Decision.RECONCILE:  # refused
            raise failure.error
        return (yield from _poll_completion(run, upload.id, failure.error))

    def finalize() -> Flow[ChunkedUpload | ClientError]:
        return (yield run.target.finalize(upload, md5))  # type: ignore[no-any-return]

    result = yield from retry_loop(
        finalize, run.policy, run.uniform, kind=UNSAFE, label="finalize", handle=handle
    )
    return _check_state(result, "finalize answer")


def _poll_completion(run: _Run, upload_id: str, original: ClientError) -> Flow[ChunkedUpload]:
    policy, uniform = run.policy, run.uniform
    logger.warning("finalize outcome unknown (%s); polling the upload state", original)
    for n in range(policy.finalize_polls):
        yield Sleep(uniform(0.0, policy.finalize_poll_base * 2**n))
        state = yield run.target.state(upload_id)
        if isinstance(state, ClientError):
            continue
        state = _check_state(state, "chunked_upload state")
        if state.completed_at:
            logger.info("finalize of upload %s was applied (recovered)", upload_id)
            return state
    raise original
