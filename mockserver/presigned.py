"""Presigned uploads: storage URLs for announced files, then finalize them into data files.

One implementation behind both API versions: v1 ``data_files/presigned_upload/upload/`` +
``confirm_upload/`` (``collection=None``) and v2 ``upload-urls`` + ``finalize-upload`` (for one
collection). The bytes never pass through the backend: the client PUTs them to the object
store, and finalize checks the stored object (existence, size, MD5 or SHA-1) before it
creates the data file. Storage calls run outside the backend lock (hashing a large object
takes seconds); the bookkeeping around them runs under it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import RLock
from typing import Any, Protocol

from mockserver.clock import Clock
from mockserver.errors import InvalidRequest
from mockserver.models import DataFile, PresignedUpload
from mockserver.names import safe_name
from mockserver.storage import (
    MAX_PART_BYTES,
    MAX_PARTS,
    MIN_PART_BYTES,
    HashAlgorithm,
    ObjectStore,
    StorageError,
    StoredObject,
)
from mockserver.validation import as_int, type_name

__all__ = [
    "DEFAULT_MULTIPART_THRESHOLD",
    "DEFAULT_PART_SIZE",
    "MAX_FILES",
    "MAX_PARTS",
    "MIN_PART_SIZE",
    "FileAnnouncement",
    "FinalizeItem",
    "FinalizeResult",
    "IssuedUpload",
    "PresignedUploads",
    "parse_finalize_request",
    "parse_upload_request",
]

MIB = 1 << 20
MIN_PART_SIZE = MIN_PART_BYTES
MAX_PART_SIZE = MAX_PART_BYTES
"""Also the largest single PUT."""
MAX_OBJECT_SIZE = 5 << 40
"""S3's largest object (5 TiB, a multipart one)."""
DEFAULT_MULTIPART_THRESHOLD = 100 * MIB
DEFAULT_PART_SIZE = 8 * MIB
"""As the AWS CLI's and boto3's default multipart chunk size."""
MAX_FILES = 1000
MIN_EXPIRATION, MAX_EXPIRATION, DEFAULT_EXPIRATION = 60, 86400, 3600
_HEX = re.compile(r"^[0-9a-fA-F]+$")


@dataclass(frozen=True)
class FileAnnouncement:
    """One file of an upload-URLs request."""

    filename: str
    size: int
    content_type: str | None


@dataclass(frozen=True)
class FinalizeItem:
    """One file of a finalize (v2) or confirm (v1) request."""

    file_key: str
    checksum: str
    size: int
    multipart: bool
    upload_id: str | None = None
    parts: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class IssuedUpload:
    """Where and how to upload one announced file (positional with the request)."""

    filename: str
    file_key: str
    presigned_url: str | None
    multipart: dict[str, Any] | None


@dataclass(frozen=True)
class FinalizeResult:
    """What became of one finalized file."""

    file_key: str
    checksum: str
    data_file_id: int | None
    success: bool
    created: bool
    error: str | None


# -- request parsing -------------------------------------------------------------------------
def _list_field(body: Any, name: str) -> list[Any]:
    if not isinstance(body, dict):
        raise InvalidRequest([("non_field_errors", f"Expected an object, got {type_name(body)}.")])
    raw = body.get(name)
    if raw is None:
        raise InvalidRequest([(name, "This field is required.")])
    if not isinstance(raw, list):
        raise InvalidRequest([(name, f"Expected a list of items, got {type_name(raw)}.")])
    if not 1 <= len(raw) <= MAX_FILES:
        raise InvalidRequest([(name, f"Give 1 to {MAX_FILES} items, not {len(raw)}.")])
    return raw


def _text(
    raw: dict[str, Any], name: str, where: str, limit: int, out: list[tuple[str, str]]
) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        out.append((f"{where}.{name}", "A non-empty string is required."))
        return ""
    if len(value) > limit:
        out.append((f"{where}.{name}", f"Ensure this field has no more than {limit} characters."))
    return value


def _positive(raw: dict[str, Any], name: str, where: str, out: list[tuple[str, str]]) -> int:
    value = as_int(raw.get(name))
    if value is None:
        out.append((f"{where}.{name}", "A valid integer is required."))
        return 0
    if value < 1:
        out.append((f"{where}.{name}", "Ensure this value is greater than or equal to 1."))
    return value


def parse_upload_request(body: Any) -> tuple[list[FileAnnouncement], int]:
    """The announced files and the URL lifetime in seconds; InvalidRequest when malformed."""
    raw_files = _list_field(body, "files")
    details: list[tuple[str, str]] = []
    files = []
    for index, raw in enumerate(raw_files):
        where = f"files[{index}]"
        if not isinstance(raw, dict):
            details.append((where, f"Expected an object, got {type_name(raw)}."))
            continue
        filename = _text(raw, "filename", where, 255, details)
        size = _positive(raw, "size", where, details)
        if size > MAX_OBJECT_SIZE:
            details.append((f"{where}.size", f"Objects are limited to {MAX_OBJECT_SIZE} bytes."))
        content_type = raw.get("content_type")
        if content_type is not None and (
            not isinstance(content_type, str) or not 1 <= len(content_type) <= 255
        ):
            details.append((f"{where}.content_type", "Give a MIME type of 1 to 255 characters."))
            content_type = None
        files.append(FileAnnouncement(filename, size, content_type))
    expiration = body.get("expiration", DEFAULT_EXPIRATION)
    seconds = as_int(expiration)
    if seconds is None or not MIN_EXPIRATION <= seconds <= MAX_EXPIRATION:
        details.append(
            ("expiration", f"Give whole seconds from {MIN_EXPIRATION} to {MAX_EXPIRATION}.")
        )
        seconds = DEFAULT_EXPIRATION
    if details:
        raise InvalidRequest(details)
    return files, seconds


def _parse_parts(raw: Any, where: str, out: list[tuple[str, str]]) -> tuple[tuple[int, str], ...]:
    if not isinstance(raw, list) or not raw:
        out.append((f"{where}.parts", "A non-empty list of {part_number, etag} is required."))
        return ()
    parts = []
    for index, part in enumerate(raw):
        at = f"{where}.parts[{index}]"
        if not isinstance(part, dict):
            out.append((at, f"Expected an object, got {type_name(part)}."))
            continue
        number = _positive(part, "part_number", at, out)
        etag = _text(part, "etag", at, 255, out)
        parts.append((number, etag))
    return tuple(parts)


def parse_finalize_request(body: Any) -> list[FinalizeItem]:
    """The files to finalize; InvalidRequest when malformed."""
    raw_files = _list_field(body, "files")
    details: list[tuple[str, str]] = []
    items = []
    for index, raw in enumerate(raw_files):
        where = f"files[{index}]"
        if not isinstance(raw, dict):
            details.append((where, f"Expected an object, got {type_name(raw)}."))
            continue
        file_key = _text(raw, "file_key", where, 1024, details)
        checksum = _text(raw, "checksum", where, 128, details)
        size = _positive(raw, "size", where, details)
        multipart = raw.get("multipart")
        if multipart is None:
            items.append(FinalizeItem(file_key, checksum, size, multipart=False))
            continue
        if not isinstance(multipart, dict):
            details.append(
                (f"{where}.multipart", f"Expected an object, got {type_name(multipart)}.")
            )
            continue
        upload_id = _text(multipart, "upload_id", f"{where}.multipart", 255, details)
        parts = _parse_parts(multipart.get("parts"), f"{where}.multipart", details)
        items.append(FinalizeItem(file_key, checksum, size, True, upload_id, parts))
    if details:
        raise InvalidRequest(details)
    return items


# -- the domain ------------------------------------------------------------------------------
class Host(Protocol):
    """What presigned uploads need of the backend (:class:`mockserver.state.Backend`)."""

    object_store: ObjectStore
    clock: Clock
    data_files: dict[int, DataFile]

    @property
    def lock(self) -> RLock: ...
    def new_token(self) -> str: ...
    def file_for_checksum(self, tenant: str, checksum: str) -> DataFile | None: ...
    def add_stored_file(
        self,
        tenant: str,
        checksum: str,
        stored: StoredObject,
        filename: str,
        object_key: str,
        collection: int | None,
    ) -> DataFile: ...


class PresignedUploads:
    """Announced uploads of one backend, and the rules that turn them into data files."""

    def __init__(
        self,
        backend: Host,
        *,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> None:
        if part_size < MIN_PART_SIZE or part_size > MAX_PART_SIZE:
            raise ValueError(f"part_size must be within {MIN_PART_SIZE}..{MAX_PART_SIZE} bytes")
        if multipart_threshold < 1:
            raise ValueError("multipart_threshold must be at least 1 byte")
        self._backend = backend
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self.uploads: dict[str, PresignedUpload] = {}

    def reset(self) -> None:
        """Forget every announced upload."""
        self.uploads = {}

    def part_size_for(self, size: int) -> int:
        """The configured part size, raised (to whole MiB) when 10,000 parts would not do."""
        needed = math.ceil(size / MAX_PARTS)
        return max(self.part_size, math.ceil(needed / MIB) * MIB)

    # -- issue -------------------------------------------------------------------------------
    def issue(
        self,
        tenant: str,
        collection: int | None,
        files: Sequence[FileAnnouncement],
        expiration: int,
        *,
        dry_run: bool = False,
    ) -> tuple[list[IssuedUpload], datetime]:
        """Presigned URLs for ``files``, in order; records them unless ``dry_run``."""
        backend = self._backend
        store = backend.object_store
        expires_at = backend.clock() + timedelta(seconds=expiration)
        issued = []
        for announced in files:
            scope = "v1" if collection is None else f"c{collection}"
            name = safe_name(announced.filename)
            key = f"uploads/{tenant}/{scope}/{backend.new_token()}/{name}"
            record = PresignedUpload(
                key, tenant, collection, announced.filename, announced.size, expires_at
            )
            if announced.size < self.multipart_threshold and announced.size <= MAX_PART_SIZE:
                url = store.presign_put(
                    key, expires_at=expires_at, content_type=announced.content_type
                )
                issued.append(IssuedUpload(announced.filename, key, url, None))
            else:
                part_size = self.part_size_for(announced.size)
                count = math.ceil(announced.size / part_size)
                upload_id = (
                    f"dry-run-{backend.new_token()}"
                    if dry_run
                    else store.create_multipart_upload(key)
                )
                record.upload_id = upload_id
                parts = [
                    {
                        "part_number": number,
                        "presigned_url": store.presign_upload_part(
                            key, upload_id, number, expires_at=expires_at
                        ),
                    }
                    for number in range(1, count + 1)
                ]
                multipart = {"upload_id": upload_id, "part_size": part_size, "parts": parts}
                issued.append(IssuedUpload(announced.filename, key, None, multipart))
            if not dry_run:
                with backend.lock:
                    self.uploads[key] = record
        return issued, expires_at

    # -- finalize ----------------------------------------------------------------------------
    def finalize(
        self,
        tenant: str,
        collection: int | None,
        items: Sequence[FinalizeItem],
        *,
        dry_run: bool = False,
    ) -> list[FinalizeResult]:
        """Finalize each file on its own: a failed file creates nothing, the others go on."""
        return [self._finalize_one(tenant, collection, item, dry_run) for item in items]

    def _finalize_one(
        self, tenant: str, collection: int | None, item: FinalizeItem, dry_run: bool
    ) -> FinalizeResult:
        def fail(message: str) -> FinalizeResult:
            return FinalizeResult(item.file_key, item.checksum, None, False, False, message)

        def done(record: DataFile, created: bool) -> FinalizeResult:
            return FinalizeResult(item.file_key, item.checksum, record.id, True, created, None)

        checksum = item.checksum.lower()
        if len(checksum) not in (32, 40) or not _HEX.match(checksum):
            return fail(
                "checksum must be the hex MD5 (32 digits) or SHA-1 (40 digits) of the file."
            )
        backend = self._backend
        with backend.lock:
            upload = self.uploads.get(item.file_key)
            if upload is None or upload.tenant != tenant or upload.collection != collection:
                where = "this data collection" if collection is not None else "this tenant"
                return fail(f"Unknown file_key: it was not issued for {where}.")
            reused = self._reuse(upload, checksum, tenant, collection, dry_run)
            if isinstance(reused, str):
                return fail(reused)
            if reused is not None:
                return done(reused, created=False)
            if upload.upload_id is not None and not item.multipart:
                return fail("This is a multipart upload: give multipart.upload_id and its parts.")
            if upload.upload_id is None and item.multipart:
                return fail("This is a single-PUT upload: multipart must be null.")
            if item.multipart and item.upload_id != upload.upload_id:
                return fail("multipart.upload_id is not the upload issued for this file_key.")
        if dry_run:
            return FinalizeResult(item.file_key, item.checksum, None, True, True, None)
        store = backend.object_store
        try:
            stored: StoredObject | None
            if upload.upload_id is not None:
                stored = store.complete_multipart_upload(
                    item.file_key, upload.upload_id, item.parts
                )
            else:
                stored = store.head_object(item.file_key)
            if stored is None:
                return fail("No object was uploaded for this file_key.")
            if stored.size != item.size:
                return fail(f"Size mismatch: the object has {stored.size} bytes, not {item.size}.")
            algorithm: HashAlgorithm = "md5" if len(checksum) == 32 else "sha1"
            actual = store.content_hash(item.file_key, algorithm)
        except StorageError as exc:
            return fail(f"Storage: {exc.code}: {exc.message}")
        if actual != checksum:
            name = "MD5" if algorithm == "md5" else "SHA-1"
            return fail(f"Checksum mismatch: the object's {name} is {actual}.")
        with backend.lock:
            reused = self._reuse(upload, checksum, tenant, collection, dry_run)
            if isinstance(reused, str):
                return fail(reused)
            if reused is not None:
                return done(reused, created=False)
            record = backend.add_stored_file(
                tenant, checksum, stored, upload.filename, item.file_key, collection
            )
            upload.data_file_id = record.id
            return done(record, created=True)

    def _reuse(
        self,
        upload: PresignedUpload,
        checksum: str,
        tenant: str,
        collection: int | None,
        dry_run: bool,
    ) -> DataFile | str | None:
        """(under the lock) The data file this finalize resolves to without new bytes: the
        one already made from this key, or one with the same checksum; an error text when the
        key was finalized with other content; None when the object must be checked."""
        backend = self._backend
        if upload.data_file_id is not None:
            record = backend.data_files[upload.data_file_id]
            if record.checksum == checksum:
                return record
            return f"This file_key was already finalized with checksum {record.checksum}."
        existing = backend.file_for_checksum(tenant, checksum)
        if existing is None:
            return None
        if not dry_run:
            upload.data_file_id = existing.id
            if collection is not None:
                existing.collections.add(collection)
        return existing
