"""Plain domain records held by the backend state (no HTTP, no JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = [
    "ChunkedUpload",
    "DataCollection",
    "DataFile",
    "DataUnit",
    "FileSpec",
    "PresignedUpload",
    "Project",
    "Task",
    "Tenant",
    "UnitFile",
]

STATUS_UPLOADING = 1
STATUS_COMPLETE = 2


@dataclass
class Tenant:
    code: str
    name: str


@dataclass
class FileSpec:
    id: int
    name: str
    file_type: str
    is_required: bool = False
    is_primary: bool = False
    extensions: list[str] | None = None
    description: str = ""
    index: int = 1
    function_type: str = "main"
    is_sequential: bool = False
    configuration: dict[str, Any] = field(default_factory=dict)


@dataclass
class DataCollection:
    id: int
    tenant: str
    name: str
    description: str
    project: int | None
    created_at: datetime
    specs: list[FileSpec]
    category: str = "image"
    caution: str = ""
    """The v2 ``caution`` flag: ``""`` (none) or ``"sensitive_content"``."""

    def spec(self, name: str) -> FileSpec | None:
        return next((s for s in self.specs if s.name == name), None)


@dataclass
class Project:
    id: int
    tenant: str
    title: str
    data_collection: int


@dataclass
class DataFile:
    id: int
    tenant: str
    checksum: str
    size: int
    segments: tuple[Path, ...]
    """The content: these files, concatenated (a chunked upload's chunks, never copied)."""
    filename: str
    created_at: datetime
    object_key: str | None = None
    """The storage key of a presigned upload (its content is read from the store when
    ``segments`` is empty: a remote store)."""
    collections: set[int] = field(default_factory=set)
    """Collections the file belongs to: finalized for them, or bound in one of their units."""


@dataclass
class PresignedUpload:
    """A file announced by ``upload-urls`` (v2) or ``presigned_upload/upload`` (v1)."""

    file_key: str
    tenant: str
    collection: int | None
    """The v2 collection it was issued for; None for the v1 pair."""
    filename: str
    size: int
    expires_at: datetime
    upload_id: str | None = None
    """The storage's multipart upload id; None for a single PUT."""
    data_file_id: int | None = None
    """Set once finalized."""


@dataclass
class ChunkedUpload:
    id: str
    tenant: str
    filename: str
    segments: list[Path]
    """One file per stored chunk, in order; concatenated they are the upload's content."""
    created_at: datetime
    hasher: Any
    """A :class:`mockserver.hashing.SegmentHasher` over ``segments``."""
    offset: int = 0
    status: int = STATUS_UPLOADING
    completed_at: datetime | None = None
    checksum: str | None = None


@dataclass
class UnitFile:
    spec_name: str
    data_file_id: int
    path_original: str | None


@dataclass
class DataUnit:
    id: int
    tenant: str
    data_collection: int
    files: list[UnitFile]
    meta: dict[str, Any]
    groups: list[str]
    created_at: datetime
    checksum: str = ""
    """The unit's own checksum, derived from its files (see ``unit_checksum``)."""


@dataclass
class Task:
    id: int
    tenant: str
    project: int
    data_unit: int
    created_at: datetime
