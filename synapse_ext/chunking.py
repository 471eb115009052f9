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
* peak memory is one chunk held here plus what the transport buffers for it.
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
    "Finalize",
    "GetState",
    "Intent",
    "Put",
    "Read",
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
class Advance:
    """``n`` more bytes were acknowledged by the server; answer: None."""

    n: int


Intent = Read | Put | GetState | Finalize | Sleep | Advance
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


def chunked_upload_flow(
    total: int,
    chunk_size: int,
    policy: RetryPolicy,
    uniform: Callable[[float, float], float] = random.uniform,
) -> Flow:
    """Upload ``total`` bytes in ``chunk_size`` chunks, then finalize; returns the final state."""
    if total <= 0:
        raise ValueError("chunked upload of an empty file")
    md5 = hashlib.md5(usedforsecurity=False)
    upload: ChunkedUpload | None = None
    offset = 0
    failures = 0
    while offset < total:
        length = min(chunk_size, total - offset)
        data = yield Read(offset, length)
        if len(data) != length:
            raise ProtocolError(None, f"local file changed: read {len(data)} of {length} bytes")
        pending = md5.copy()
        result = yield Put(upload, data, content_range(offset, length, total), pending)
        if isinstance(result, ClientError):
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
        upload = state_
        offset = state_.offset
        failures = 0
        yield Advance(length)
    assert upload is not None
    return (yield from _finalize(upload, md5.hexdigest(), policy, uniform))


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
