"""The presigned-upload engine: a pure flow (sans I/O) over the shared intents.

Given where the server said to put a file (one presigned URL, or a multipart upload's part
URLs; v1 ``presigned_upload/upload/`` and v2 ``upload-urls`` answer alike), it PUTs the bytes
straight to object storage and returns a :class:`StoredFile`: what finalize (v2) or confirm
(v1) needs. The drivers only perform its intents.

Rules it enforces (contract §4, §6.3, §7):

* every body streams from disk in blocks and is hashed on the way; a part's ``ETag`` must be
  the MD5 of the bytes that attempt sent, or the attempt failed;
* parts go in parallel (``part_concurrency`` in flight); the file's MD5 comes from the caller
  when it knows it, else from one sequential read that runs beside the part uploads;
* a PUT is retried (full jitter, ``Retry-After`` honoured, the policy's attempt budget) on no
  response, 5xx, 408/425/429, an ``ETag`` that does not match, and on a 4xx that carries no
  storage error ``Code`` (a proxy or CDN answered: 0.15-0.66 % of PUTs in production); a 4xx
  with a ``Code`` is the storage's verdict and is raised (``RetryPolicy.decide(...,
  storage=True)``);
* an expired URL raises :class:`~synapse_ext.errors.PresignedUrlExpiredError` at once: only
  the server can issue new URLs (the caller asks and starts the file again);
* no Synapse header goes to storage (the URLs are on the storage's origin).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
from synapse_client.models import (
    FinalizeUploadFile,
    FinalizeUploadMultipart,
    FinalizeUploadPart,
    PresignedUploadFile,
)

from .._flow import STORAGE, Flow, Parallel, Sleep, blocking, retry_loop
from .._flow.intents import Call
from .._wire import operations as ops
from ..errors import (
    ClientError,
    ProtocolError,
    SynapseError,
    UploadPlanError,
)
from ..policy import RetryPolicy, Uniform
from ..progress import ProgressTask
from ..sources import FileRef
from ._files import file_md5

__all__ = [
    "FileChangedError",
    "FinalizedFile",
    "PutTarget",
    "StoredFile",
    "finalize_entry",
    "poll_after_lost_finalize",
    "presigned_upload_flow",
]

logger = logging.getLogger("synapse_ext")
T = TypeVar("T")


class FileChangedError(SynapseError, OSError):
    """The file's content is not what was hashed before the upload (it changed meanwhile)."""


@attrs.frozen
class StoredFile:
    """A file now in object storage: what finalize (v2) or confirm (v1) needs for it."""

    file_key: str
    checksum: str
    """Lower-case hex MD5 of the whole file."""
    size: int
    upload_id: str | None = None
    """The multipart upload's id; None for a single PUT."""
    parts: tuple[tuple[int, str], ...] = ()
    """``(part_number, etag)`` of every part, ascending (ETags quoted, as S3 sends them)."""


@attrs.frozen
class FinalizedFile:
    """A data file made from a presigned upload."""

    data_file_id: int
    checksum: str
    size: int
    file_key: str
    created: bool | None
    """False when the server already held the checksum; None when finalize's answer was lost
    and the data file was found by its checksum afterwards (who created it is unknown)."""


@attrs.frozen
class PutTarget:
    """The source side of one presigned upload: the file, progress and request settings."""

    path: FileRef
    size: int
    task: ProgressTask
    read_timeout: float
    content_type: str | None = None


def _put(
    target: PutTarget,
    url: str,
    start: int,
    length: int,
    label: str,
    policy: RetryPolicy,
    uniform: Uniform,
    content_type: str | None = None,
    whole: list[Any] | None = None,
) -> Flow[str]:
    """PUT ``length`` bytes from ``start`` to ``url`` until stored; their MD5 (the ETag).

    ``whole`` (``[running md5]``, parts sent in order) is advanced by the stored attempt's
    bytes: the file's MD5 computed on the way, with no second read.
    """

    def attempt() -> Flow[tuple[str, Any] | ClientError]:
        digest = hashlib.md5(usedforsecurity=False)
        pending = whole[0].copy() if whole is not None else None
        sink = digest if pending is None else _Both(digest, pending)
        op = ops.storage_put(
            url, target.path, start, length, sink, target.read_timeout, content_type
        )
        answer = yield Call(op)
        if isinstance(answer, ClientError):
            return answer
        sent = str(digest.hexdigest())
        if answer != sent:
            return ProtocolError(
                None, f"{label}: the storage's ETag {answer} is not the MD5 {sent} of what was sent"
            )
        return sent, pending

    # A PUT of the same bytes is idempotent: the policy's storage rules say what is retried.
    # The loop logs the label and the status only: never the URL (it holds a signature).
    sent, pending = yield from retry_loop(attempt, policy, uniform, kind=STORAGE, label=label)
    target.task.advance(length)
    if whole is not None:
        whole[0] = pending
    return sent


class _Both:
    """Two hashlib objects fed the same bytes (a part's MD5 and the running file MD5)."""

    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second

    def update(self, data: bytes) -> None:
        self.first.update(data)
        self.second.update(data)


def _part_plan(upload: PresignedUploadFile, size: int) -> list[tuple[int, str, int, int]]:
    """``(part_number, url, start, length)`` of every part; UploadPlanError if they do not fit."""
    multipart = upload.multipart
    assert multipart is not None
    part_size = multipart.part_size
    parts = sorted(multipart.parts, key=lambda p: p.part_number)
    numbers = [p.part_number for p in parts]
    if part_size < 1 or numbers != list(range(1, len(parts) + 1)):
        raise UploadPlanError(f"{upload.file_key}: the server's part plan is not 1..N: {numbers}")
    if not (len(parts) - 1) * part_size < size <= len(parts) * part_size:
        raise UploadPlanError(
            f"{upload.file_key}: {len(parts)} parts of {part_size} bytes do not hold "
            f"{size} bytes (was the file announced with another size?)"
        )
    plan = []
    for part in parts:
        start = (part.part_number - 1) * part_size
        plan.append((part.part_number, part.presigned_url, start, min(part_size, size - start)))
    return plan


def presigned_upload_flow(
    upload: PresignedUploadFile,
    target: PutTarget,
    policy: RetryPolicy,
    uniform: Uniform,
    *,
    md5: str | None = None,
    part_concurrency: int = 4,
    verify_md5: bool = False,
) -> Flow[StoredFile]:
    """Upload ``target.path`` as ``upload`` says; the :class:`StoredFile` to finalize.

    A given ``md5`` is checked against what a single PUT sent; with ``verify_md5`` (the MD5
    is only a claim, e.g. a source's ETag) a multipart upload sends its parts in order, one
    at a time, computing the file's MD5 from the bytes sent, and raises
    :class:`FileChangedError` when it is not ``md5``.
    """
    if part_concurrency < 1:
        raise ValueError("part_concurrency must be >= 1")
    name = target.path.name
    if upload.multipart is None:
        if not upload.presigned_url:
            raise UploadPlanError(
                f"{upload.file_key}: neither a presigned URL nor a multipart upload"
            )
        sent = yield from _put(
            target,
            upload.presigned_url,
            0,
            target.size,
            name,
            policy,
            uniform,
            target.content_type,
        )
        if md5 is not None and md5.lower() != sent:
            raise FileChangedError(f"{target.path}: its MD5 changed from {md5} to {sent}")
        return StoredFile(upload.file_key, sent, target.size)
    plan = _part_plan(upload, target.size)
    if md5 is not None and verify_md5:
        # The MD5 is a claim: parts go one at a time, in order, so the file's MD5 is computed
        # from the bytes sent (each byte read once) and checked before anything is finalized.
        whole = [hashlib.md5(usedforsecurity=False)]
        etags = []
        for number, url, start, length in plan:
            label = f"{name} part {number}"
            etags.append(
                (yield from _put(target, url, start, length, label, policy, uniform, None, whole))
            )
        computed = str(whole[0].hexdigest())
        if computed != md5.lower():
            raise FileChangedError(f"{target.path}: its MD5 is {computed}, not {md5}")
        parts = tuple((number, f'"{etag}"') for (number, *_), etag in zip(plan, etags, strict=True))
        return StoredFile(upload.file_key, computed, target.size, upload.multipart.upload_id, parts)
    flows: list[Flow[Any]] = [
        _put(target, url, start, length, f"{name} part {number}", policy, uniform)
        for number, url, start, length in plan
    ]
    if md5 is None:  # one sequential read beside the parts (the parts cannot give it)
        flows.insert(0, blocking(file_md5, target.path))
    results = yield Parallel(flows, limit=part_concurrency + (1 if md5 is None else 0))
    checksum = md5.lower() if md5 is not None else str(results.pop(0))
    parts = tuple((number, f'"{etag}"') for (number, *_), etag in zip(plan, results, strict=True))
    return StoredFile(upload.file_key, checksum, target.size, upload.multipart.upload_id, parts)


def poll_after_lost_finalize(
    lookup: Callable[[], Flow[T | None]], policy: RetryPolicy, uniform: Uniform
) -> Flow[T | None]:
    """After a lost finalize answer: ask the server (``lookup``, by checksum) a few times,
    jittered, never resending the finalize; what ``lookup`` found, or None if it never did.

    Finalize can complete after the client gave up (production: 6.6-16.2 s later). A lookup
    that fails counts as "not yet".
    """
    for poll in range(policy.finalize_polls):
        yield Sleep(uniform(0.0, policy.finalize_poll_base * 2**poll))
        try:
            found = yield from lookup()
        except ClientError as exc:
            logger.warning("looking up a lost finalize failed: %s", exc)
            continue
        if found is not None:
            return found
    return None


def finalize_entry(stored: StoredFile) -> FinalizeUploadFile:
    """The finalize-upload entry of a stored file (v2)."""
    if stored.upload_id is None:
        return FinalizeUploadFile(
            file_key=stored.file_key, checksum=stored.checksum, size=stored.size
        )
    parts = [FinalizeUploadPart(part_number=n, etag=etag) for n, etag in stored.parts]
    return FinalizeUploadFile(
        file_key=stored.file_key,
        checksum=stored.checksum,
        size=stored.size,
        multipart=FinalizeUploadMultipart(upload_id=stored.upload_id, parts=parts),
    )
