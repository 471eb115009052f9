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

from .._flow import Blocking, Call, Flow, Sleep
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


def _worth_asking(error: ClientError, policy: RetryPolicy) -> bool:
    """A chunk PUT failed in a way worth asking the server's offset about: not processed,
    maybe applied (the policy says RETRY or RECONCILE), or the server's offset disagrees."""
    return _offset_mismatch(error) or policy.decide(error, safe=False) is not Decision.FAIL


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
    attempt = 0
    while True:
        state = yield run.target.state(upload_id)
        if not isinstance(state, ClientError):
            return _check_state(state, "chunked_upload state")
        if state.status_code in GONE:
            logger.warning("upload %s is gone (%s); starting over from byte 0", upload_id, state)
            return None
        if attempt + 1 >= run.policy.max_attempts or run.policy.decide(state) is not Decision.RETRY:
            raise state
        yield Sleep(run.policy.delay(state, attempt, run.uniform))
        attempt += 1


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
    total, chunk_size, policy, uniform, target = (
        run.total,
        run.chunk_size,
        run.policy,
        run.uniform,
        run.target,
    )
    upload = start.upload if start is not None else None
    md5 = start.md5 if start is not None else hashlib.md5(usedforsecurity=False)
    offset = upload.offset if upload is not None else 0
    failures = 0
    while offset < total:
        length = min(chunk_size, total - offset)
        data = yield target.read(offset, length)
        if len(data) != length:
            raise ProtocolError(None, f"local file changed: read {len(data)} of {length} bytes")
        pending = md5.copy()
        result = yield target.put(upload, data, content_range(offset, length, total), pending)
        if isinstance(result, ClientError):
            if upload is not None and result.status_code in GONE:
                raise _Gone(result)
            if failures + 1 >= policy.max_attempts or not _worth_asking(result, policy):
                raise result
            delay = policy.delay(result, failures, uniform)
            logger.warning(
                "chunk %s failed (%s); asking the server, retry in %.2fs",
                content_range(offset, length, total),
                result,
                delay,
            )
            failures += 1
            yield Sleep(delay)
            if upload is None:
                continue  # no upload id yet: nothing to ask; start a new upload
            state = yield target.state(upload.id)
            if isinstance(state, ClientError):
                continue  # cannot tell yet; the next PUT's answer (or mismatch) will
            result = _check_state(state, "chunked_upload state")
            if result.offset == offset:
                continue  # not stored: send this chunk again
        state_ = _check_state(result, "chunk answer")
        if state_.offset != offset + length:
            raise ProtocolError(
                None,
                f"server offset {state_.offset} is neither {offset} nor {offset + length} "
                f"(never resume backwards or beyond the chunk sent)",
            )
        if upload is not None and state_.id != upload.id:
            raise ProtocolError(None, f"upload id changed from {upload.id} to {state_.id}")
        md5 = pending  # updated by the driver with exactly ``data``
        del data
        created = upload is None
        upload = state_
        offset = state_.offset
        failures = 0
        if created and target.on_upload is not None:
            yield Blocking(target.on_upload, (upload,))  # persist the id before more is sent
        target.task.advance(length)
    if upload is None:  # pragma: no cover - total > 0 always sends or resumes
        raise ProtocolError(None, "no upload to finalize")
    return upload, md5


def _finalize(run: _Run, upload: ChunkedUpload, md5: str) -> Flow[ChunkedUpload]:
    policy, uniform = run.policy, run.uniform
    attempt = 0
    while True:
        result = yield run.target.finalize(upload, md5)
        if not isinstance(result, ClientError):
            return _check_state(result, "finalize answer")
        decision = policy.decide(result, safe=False)
        # Certainly not applied (not sent, or not processed): sending it again is safe.
        if decision is Decision.RETRY and attempt + 1 < policy.max_attempts:
            delay = policy.delay(result, attempt, uniform)
            logger.warning("finalize not sent (%s); retry in %.2fs", result, delay)
            attempt += 1
            yield Sleep(delay)
            continue
        if result.status_code in GONE:
            raise _Gone(result)
        if decision is not Decision.RECONCILE:  # refused, or retried as often as allowed
            raise result
        return (yield from _poll_completion(run, upload.id, result))


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
