"""Requests to presigned object-storage URLs: a file slice streamed from its source, S3's answers.

A presigned PUT carries the raw bytes of one file or one part, read from disk in blocks while
the request is sent (never a whole part in memory) and hashed on the way (the MD5 the
storage's ``ETag`` must match). Storage error bodies are reduced to their ``Code`` and
``Message``: the rest can echo request signatures.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx

from .._redact import redacted_repr
from ..errors import PresignedUrlExpiredError, ProtocolError, StorageError
from ..sources import FileRef, open_binary

__all__ = ["BLOCK", "FileSlice", "StoragePut", "etag_of", "storage_error"]

BLOCK = 1 << 20
"""Bytes read from disk per block of a streamed body."""
_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")
_MESSAGE = re.compile(rb"<Message>([^<]{0,300})</Message>")


class FileSlice(httpx.SyncByteStream, httpx.AsyncByteStream):
    """``length`` bytes of ``path`` from ``start``, read block by block as httpx sends them
    (either world), updating ``digest`` (a hashlib object) on the way."""

    def __init__(self, path: FileRef, start: int, length: int, digest: Any) -> None:
        self._path, self._start, self._length, self._digest = path, start, length, digest

    def _blocks(self, fh: Any) -> Iterator[int]:
        fh.seek(self._start)
        remaining = self._length
        while remaining > 0:
            n = min(BLOCK, remaining)
            yield n
            remaining -= n

    def _take(self, data: bytes, expected: int) -> bytes:
        if len(data) != expected:
            raise OSError(f"{self._path} changed while it was being uploaded (short read)")
        self._digest.update(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        with open_binary(self._path) as fh:
            for n in self._blocks(fh):
                yield self._take(fh.read(n), n)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # Opening a source file can ask its store: off the event loop (local: as before).
        local = isinstance(self._path, Path)
        fh = (
            open_binary(self._path)
            if local
            else await anyio.to_thread.run_sync(open_binary, self._path)
        )
        try:
            for n in self._blocks(fh):
                yield self._take(await anyio.to_thread.run_sync(fh.read, n), n)
        finally:
            fh.close()


@attrs.frozen
class StoragePut:
    """PUT a slice of a file (local or source) to a presigned URL (used exactly as given).

    The URL is on the storage's origin, so the client's auth adds no Synapse header to it.
    Its repr masks the URL's signature.
    """

    url: str = attrs.field(repr=redacted_repr)
    path: FileRef
    start: int
    length: int
    digest: Any = attrs.field(eq=False, repr=False)
    """A fresh hashlib object per attempt: the MD5 of exactly what this attempt sent."""
    content_type: str | None = None

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        headers = {"Content-Length": str(self.length)}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        request = http.build_request("PUT", self.url, headers=headers)
        request.stream = FileSlice(self.path, self.start, self.length, self.digest)
        return request


def storage_error(response: httpx.Response) -> StorageError:
    """The error of a storage answer >= 400: ``Code``/``Message`` only (or none, from a proxy)."""
    try:
        body = response.content
    except httpx.ResponseNotRead:
        body = b""
    code_match = _CODE.search(body)
    code = code_match.group(1).decode("utf-8", "replace").strip() if code_match else None
    message_match = _MESSAGE.search(body)
    if code is not None and message_match is not None:
        message = message_match.group(1).decode("utf-8", "replace").strip()
    elif code is not None:
        message = response.reason_phrase
    else:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        message = f"no storage error code ({response.reason_phrase}, {kind}, {len(body)} bytes)"
    status = response.status_code
    if status == 403 and code == "AccessDenied" and "expired" in message.lower():
        return PresignedUrlExpiredError(status, code, message, response)
    return StorageError(status, code, message, response)


def etag_of(response: httpx.Response) -> str:
    """The unquoted ``ETag`` of a successful storage PUT."""
    etag: str | None = response.headers.get("etag")
    if not etag:
        raise ProtocolError(response.status_code, "storage answered without an ETag", response)
    return etag.strip().strip('"')
