"""The object-storage interface the backend presigns against (placeholder until merge)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

__all__ = ["ObjectStore", "StorageError", "StoredObject"]


class StorageError(Exception):
    """An S3 error: ``code``, ``message`` and HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str
    segments: tuple[Path, ...] | None


class ObjectStore(Protocol):
    bucket: str
    endpoint_url: str

    def presign_put(
        self, key: str, *, expires_at: datetime, content_type: str | None = None
    ) -> str: ...
    def create_multipart_upload(self, key: str) -> str: ...
    def presign_upload_part(
        self, key: str, upload_id: str, part_number: int, *, expires_at: datetime
    ) -> str: ...
    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> StoredObject: ...
    def abort_multipart_upload(self, key: str, upload_id: str) -> None: ...
    def head_object(self, key: str) -> StoredObject | None: ...
    def content_hashes(self, key: str) -> tuple[str, str]: ...
    def presign_get(
        self, key: str, *, expires_at: datetime, filename: str | None = None
    ) -> str: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...
