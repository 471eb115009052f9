"""The chunked-upload engine: a pure generator of request intents (sans I/O).

The engine yields intents (``Read``, ``Put``, ``GetState``, ``Finalize``, ``Sleep``,
``Advance``) and receives each intent's result via ``send``: bytes for ``Read``, a
``ChunkedUpload`` (or the ``ClientError`` it failed with) for the requests, ``None`` otherwise.
It returns the completed ``ChunkedUpload``. The sync and async drivers only perform I/O.

Rules it enforces:

* chunks are exact-length reads made afresh for every attempt; MD5 is updated once per
  acknowledged chunk, in order: each ``Put`` carries ``digest``, a copy of the running MD5
  that the driver updates with the chunk *while* the request is in flight (MD5 and the
  network overlap); it becomes the running MD5 only once the chunk is acknowledged;
* after a failed or ambiguous chunk it asks the server for the offset and resumes from it,
  accepting only "not applied" (same start) or "applied" (start + length); anything else,
  backwards or beyond, is a ``ProtocolError``;
* a finalize whose outcome is unknown is never re-posted: the upload state is polled
  (jittered, bounded) until ``completed_at`` is set;
* peak memory is one chunk held here plus what the transport buffers for it;
* ``resume=ResumePoint(id)`` continues an upload of an earlier run: the server's state
  (``GET``) decides: complete → returned as is; 404/410, an offset beyond the file or a
  different size → a new upload from byte 0; otherwise the sent prefix is re-hashed locally
  (chunk-sized ``Read`` pieces) and sending continues at the server's offset;
* an upload the server reports gone (404/410) while chunks or the finalize are sent is
  started over from byte 0, once per flow;
* ``Created`` is yielded as soon as the server accepted the first chunk of a new upload, so
  a caller can persist the id before any further byte is sent.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Generator
from typing import Any

import attrs
from synapse_client.models import ChunkedUpload

from .errors import ClientConnectionError, ClientError, ProtocolError, ResponseLostError
from .retry import RetryPolicy

__all__ = [
    "Advance",
    "Created",
    "Finalize",
    "GetState",
    "Intent",
    "Put",
    "Read",
    "ResumePoint",
    "Sleep",
    "chunk_plan",
    "chunked_upload_flow",
    "content_range",
]

logger = logging.getLogger("synapse_ext")
MiB = 1024 * 1024


@attrs.frozen
class Read:
    """Read ``length`` bytes at ``start`` of the local file; answer: ``bytes``."""

    start: int
    length: int
    digest: Any = attrs.field(default=None, repr=False, eq=False)
    """When set, MD5 state the driver updates with the bytes read (in its I/O thread)."""


@attrs.frozen
class Put:
    """PUT one chunk (create the upload when ``upload`` is None); answer: state or error."""

    upload: ChunkedUpload | None
    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>")
    content_range: str
    digest: Any = attrs.field(default=None, repr=False, eq=False)
    """MD5 state to update with ``data`` (driver's duty, concurrently with the request)."""


@attrs.frozen
class GetState:
    """GET the upload's state; answer: state or error."""

    upload_id: str


@attrs.frozen
class Finalize:
    """POST the finalize request once; answer: state or error."""

    upload: ChunkedUpload
    md5: str


@attrs.frozen
class Sleep:
    """Wait this many seconds; answer: None."""

    seconds: float


@attrs.frozen
class Created:
    """The server created ``upload`` (its first chunk is stored); answer: None."""

    upload: ChunkedUpload


@attrs.frozen
class ResumePoint:
    """An upload of an earlier run to continue.

    ``offset`` is only what the caller last knew (for logs): the server's offset decides.
    """

    upload_id: str
    offset: int | None = None


@attrs.frozen
class Advance:
    """``n`` more bytes were acknowledged by the server; answer: None."""

    n: int


Intent = Read | Put | GetState | Finalize | Sleep | Advance | Created
Flow = Generator[Intent, Any, ChunkedUpload]


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
    # Connection trouble, retryable statuses and offset mismatches: the chunk may or may not
    # have been stored, so ask the server.
    return (
        isinstance(error, ClientConnectionError)
        or error.status_code in policy.retry_statuses
        or (error.status_code is not None and error.status_code >= 500)
        or _offset_mismatch(error)
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


def chunked_upload_flow(
    total: int,
    chunk_size: int,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float] = random.uniform,
    *,
    resume: ResumePoint | None = None,
) -> Flow:
    """Upload ``total`` bytes in ``chunk_size`` chunks, then finalize; returns the final state.

    With ``resume``, continue that upload from the server's offset when it still can be.
    """
    if total <= 0:
        raise ValueError("chunked upload of an empty file")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    start: _Start | None = None
    if resume is not None:
        found = yield from _resume(resume, total, chunk_size, policy, uniform)
        if isinstance(found, ChunkedUpload):
            return found
        start = found
    restarted = False
    while True:
        try:
            upload, md5 = yield from _send(total, chunk_size, policy, uniform, start)
            return (yield from _finalize(upload, md5.hexdigest(), policy, uniform))
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


def _fetch_state(
    upload_id: str, policy: RetryPolicy, uniform: Callable[[float, float], float]
) -> Generator[Intent, Any, ChunkedUpload | None]:
    """The upload's state (retrying transient errors); None when the server says it is gone."""
    attempt = 0
    while True:
        state = yield GetState(upload_id)
        if not isinstance(state, ClientError):
            return _check_state(state, "chunked_upload state")
        if state.status_code in GONE:
            logger.warning("upload %s is gone (%s); starting over from byte 0", upload_id, state)
            return None
        if attempt + 1 >= policy.max_attempts or not _worth_asking(state, policy):
            raise state
        yield Sleep(policy.delay(state, attempt, uniform))
        attempt += 1


def _resume(
    point: ResumePoint,
    total: int,
    chunk_size: int,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float],
) -> Generator[Intent, Any, ChunkedUpload | _Start | None]:
    """Complete upload as is, or where to continue (prefix re-hashed), or None: start over."""
    state = yield from _fetch_state(point.upload_id, policy, uniform)
    if state is None:
        return None
    why = _unusable(state, point, total)
    if why is not None:
        logger.warning("upload %s not resumed (%s); starting over", point.upload_id, why)
        return None
    if state.completed_at:
        logger.info("upload %s is already complete", state.id)
        yield Advance(total)
        return state
    md5 = hashlib.md5(usedforsecurity=False)
    for begin, length in chunk_plan(state.offset, chunk_size):
        data = yield Read(begin, length, md5)
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
        yield Advance(state.offset)
    return _Start(state, md5)


def _send(
    total: int,
    chunk_size: int,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float],
    start: _Start | None,
) -> Generator[Intent, Any, tuple[ChunkedUpload, Any]]:
    """Send every chunk from ``start`` (or byte 0); returns the last state and the MD5."""
    upload = start.upload if start is not None else None
    md5 = start.md5 if start is not None else hashlib.md5(usedforsecurity=False)
    offset = upload.offset if upload is not None else 0
    failures = 0
    while offset < total:
        length = min(chunk_size, total - offset)
        data = yield Read(offset, length)
        if len(data) != length:
            raise ProtocolError(None, f"local file changed: read {len(data)} of {length} bytes")
        pending = md5.copy()
        result = yield Put(upload, data, content_range(offset, length, total), pending)
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
            state = yield GetState(upload.id)
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
        if created:
            yield Created(upload)  # the caller may persist the id before more is sent
        yield Advance(length)
    if upload is None:  # pragma: no cover - total > 0 always sends or resumes
        raise ProtocolError(None, "no upload to finalize")
    return upload, md5


def _finalize(
    upload: ChunkedUpload,
    md5: str,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float],
) -> Flow:
    attempt = 0
    while True:
        result = yield Finalize(upload, md5)
        if not isinstance(result, ClientError):
            return _check_state(result, "finalize answer")
        # Certainly not applied (not sent, or throttled): sending it again is safe.
        not_applied = (
            isinstance(result, ClientConnectionError) and not isinstance(result, ResponseLostError)
        ) or result.status_code == 429
        if not_applied and attempt + 1 < policy.max_attempts:
            delay = policy.delay(result, attempt, uniform)
            logger.warning("finalize not sent (%s); retry in %.2fs", result, delay)
            attempt += 1
            yield Sleep(delay)
            continue
        if result.status_code in GONE:
            raise _Gone(result)
        ambiguous = isinstance(result, ResponseLostError) or (
            result.status_code is not None and result.status_code >= 500
        )
        if not ambiguous:
            raise result
        return (yield from _poll_completion(upload.id, result, policy, uniform))


def _poll_completion(
    upload_id: str,
    original: ClientError,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float],
) -> Flow:
    logger.warning("finalize outcome unknown (%s); polling the upload state", original)
    for n in range(policy.finalize_polls):
        yield Sleep(uniform(0.0, policy.finalize_poll_base * 2**n))
        state = yield GetState(upload_id)
        if isinstance(state, ClientError):
            continue
        state = _check_state(state, "chunked_upload state")
        if state.completed_at:
            logger.info("finalize of upload %s was applied (recovered)", upload_id)
            return state
    raise original
