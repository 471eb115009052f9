"""The fake's object storage interface: what the API handlers call to hand out upload URLs.

Two implementations: :class:`~mockserver.storage.EmbeddedStore` (disk-backed, served by the
fake itself on its own origin) and :class:`~mockserver.storage.RemoteStore` (a real S3
endpoint through botocore, e.g. MinIO or moto). Both speak S3's semantics (contract §6.3):
the errors they raise are :class:`StorageError` with S3's codes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "DEFAULT_BUCKET",
    "MAX_OBJECT_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MIN_PART_BYTES",
    "HashAlgorithm",
    "ObjectStore",
    "StorageError",
    "StoredObject",
    "multipart_etag",
]

HashAlgorithm = Literal["md5", "sha1"]
"""A content hash the backend checks checksums with."""
DEFAULT_BUCKET = "synapse-mock"
MIB = 1 << 20
MIN_PART_BYTES = 5 * MIB
"""Every part of a multipart upload but the last must be at least this big (S3's rule)."""
MAX_PART_BYTES = 5 << 30
"""The largest part (5 GiB)."""
MAX_OBJECT_BYTES = 5 << 30
"""The largest single PUT (5 GiB)."""
MAX_PARTS = 10_000
"""Part numbers are 1-10,000."""


class StorageError(Exception):
    """An S3 error: ``code`` (e.g. ``InvalidPart``), ``message`` and HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StoredObject:
    """An object in the store, as it was when this record was made."""

    key: str
    size: int
    etag: str
    """Quoted, as S3 sends it: ``"<md5>"``, or ``"<md5 of part md5s>-N"`` for multipart."""
    segments: tuple[Path, ...] | None
    """Local files whose concatenation is the content (embedded store; they stay on disk until
    the store is reset, even if the key is overwritten); None for a remote store."""
    content_type: str | None = None
    """The Content-Type the object was stored with (None: not known)."""


@runtime_checkable
class ObjectStore(Protocol):
    """S3-like object storage: presigned URLs, multipart uploads, heads and hashes.

    ``expires_at`` is an aware UTC datetime. Methods raise :class:`StorageError`.
    """

    bucket: str
    endpoint_url: str
    """The origin the presigned URLs point at."""

    def presign_put(
        self, key: str, *, expires_at: datetime, content_type: str | None = None
    ) -> str:
        """A presigned single-PUT URL for ``key``."""
        ...

    def create_multipart_upload(self, key: str) -> str:
        """Start a multipart upload of ``key``; returns its upload id."""
        ...

    def presign_upload_part(
        self, key: str, upload_id: str, part_number: int, *, expires_at: datetime
    ) -> str:
        """A presigned UploadPart URL (part numbers 1-10,000)."""
        ...

    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> StoredObject:
        """Join the listed ``(part number, ETag)`` parts into the object.

        Raises :class:`StorageError`: ``InvalidPart`` (unknown part or wrong ETag),
        ``InvalidPartOrder`` (not ascending), ``EntityTooSmall`` (a non-final part under
        5 MiB), ``NoSuchUpload`` (unknown upload id, or one of another key).
        """
        ...

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        """Forget an upload and its parts (``NoSuchUpload`` if unknown)."""
        ...

    def head_object(self, key: str) -> StoredObject | None:
        """The object stored at ``key``, or None."""
        ...

    def content_hashes(self, key: str) -> tuple[str, str]:
        """(MD5 hex, SHA-1 hex) of the whole content, one streamed pass (``NoSuchKey``)."""
        ...

    def content_hash(self, key: str, algorithm: HashAlgorithm = "md5") -> str:
        """The hex MD5 or SHA-1 of the whole content (only what is asked for is computed; a
        store that already knows it, e.g. a single PUT's MD5, reads nothing)."""
        ...

    def presign_get(self, key: str, *, expires_at: datetime, filename: str | None = None) -> str:
        """A presigned GET URL; ``filename`` sets the download's Content-Disposition."""
        ...

    def reset(self) -> None:
        """Forget everything (the embedded store deletes its files)."""
        ...

    def close(self) -> None:
        """Release resources (connections, files)."""
        ...


def multipart_etag(part_md5s: Sequence[str]) -> str:
    """The quoted ETag S3 gives a multipart object: ``"<md5(binary part md5s)>-N"``."""
    joined = b"".join(bytes.fromhex(md5) for md5 in part_md5s)
    return f'"{hashlib.md5(joined).hexdigest()}-{len(part_md5s)}"'
