"""The embedded object store: S3 semantics on local disk, served by the fake itself.

An object is a list of segment files: a single PUT's body (spooled by the transport, MD5
computed while it streamed in) is moved into place, and a completed multipart upload's part
files *become* the object's segments, in part order: nothing is concatenated or copied, so a
1 GiB multipart upload costs neither memory nor a second disk write. The whole object's MD5
(what the backend checks a multipart file's checksum against) is folded in part order by a
background thread while the parts arrive (part *k* as soon as parts 1..*k* are stored), so
completing and hashing the object only hashes what was not folded yet; parts that arrive out
of order are folded when the gap closes, and a part list that is not the folded prefix
(parts skipped, a part sent again after it was folded) falls back to one pass at the end.
Overwriting a key makes a new object; segment files an earlier
:class:`~mockserver.storage.StoredObject` handed out stay on disk until
:meth:`EmbeddedStore.reset` (the backend's data files may point at them).

Presigned URLs are path-style ``{endpoint_url}/{bucket}/{key}`` with SigV4-looking query
parameters. The signature is the store's own: HMAC-SHA256 (a secret key of the store) over the
method, ``/{bucket}/{key}`` (decoded) and every other query parameter, sorted. It only has to
verify its own URLs and refuse tampered or expired ones; expiry is judged by the injected
clock (``X-Amz-Date`` + ``X-Amz-Expires``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import math
import secrets
import shutil
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from mockserver.clock import Clock, utc_now
from mockserver.http import UploadedFile
from mockserver.storage.base import (
    DEFAULT_BUCKET,
    MAX_OBJECT_BYTES,
    MAX_PART_BYTES,
    MAX_PARTS,
    MIN_PART_BYTES,
    HashAlgorithm,
    StorageError,
    StoredObject,
    multipart_etag,
)

__all__ = ["DEFAULT_STORAGE_URL", "EmbeddedStore"]

DEFAULT_STORAGE_URL = "https://storage.synapse-mock.test"
"""The storage origin in respx mode (server mode: ``http://<host>:<storage port>``)."""
ACCESS_KEY = "SYNAPSEMOCKACCESSKEY"
REGION = "us-east-1"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_BLOCK = 1 << 20
_SIGNED_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
)


@dataclass
class _Part:
    path: Path
    size: int
    md5: str


class _Fold:
    """The MD5 of an upload's parts 1..k (``parts``, in order), extended part by part.

    ``lock`` is held by whoever extends it (the background folder, or the hash at the end).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.md5 = hashlib.md5()
        self.parts: list[_Part] = []
        self.result: str | None = None
        """The hex MD5 once every part of the completed object is folded."""


@dataclass
class _Upload:
    key: str
    parts: dict[int, _Part] = field(default_factory=dict)
    fold: _Fold = field(default_factory=_Fold)
    open: bool = True
    """False once completed or aborted (the folder stops)."""


def _unquote_etag(etag: str) -> str:
    return etag.strip().strip('"').lower()


class EmbeddedStore:
    """Disk-backed S3 under ``root`` (thread-safe); see the module docstring.

    ``clock`` judges URL expiry (the backend's clock); ``secret`` keys the signatures (random
    by default). ``endpoint_url`` may be changed after construction (server mode learns its
    storage port only when it binds).
    """

    def __init__(
        self,
        root: str | Path,
        *,
        bucket: str = DEFAULT_BUCKET,
        endpoint_url: str = DEFAULT_STORAGE_URL,
        clock: Clock | None = None,
        secret: bytes | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.bucket = bucket
        self.endpoint_url = endpoint_url.rstrip("/")
        self.clock: Clock = clock or utc_now
        self._secret = secret or secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._objects: dict[str, StoredObject] = {}
        self._uploads: dict[str, _Upload] = {}
        self._hashes: dict[tuple[Path, ...], tuple[str, str]] = {}
        self._md5s: dict[tuple[Path, ...], str] = {}
        self._folds: dict[tuple[Path, ...], _Fold] = {}
        self._fold_queue: deque[_Upload] = deque()
        self._folding = False
        self._upload_count = 0
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every object and upload and delete their files."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            (self.root / "objects").mkdir(parents=True, exist_ok=True)
            (self.root / "parts").mkdir(parents=True, exist_ok=True)
            self._objects = {}
            for upload in self._uploads.values():
                upload.open = False
            self._uploads = {}
            self._hashes = {}
            self._md5s = {}
            self._folds = {}
            self._fold_queue.clear()
            self._upload_count = 0

    def snapshot(self) -> dict[str, Any]:
        """Objects (key → size, etag, segments) and open uploads (id → key, part numbers)."""
        with self._lock:
            return {
                "objects": {
                    key: {"size": o.size, "etag": o.etag, "segments": len(o.segments or ())}
                    for key, o in self._objects.items()
                },
                "uploads": {
                    upload_id: {"key": u.key, "parts": sorted(u.parts)}
                    for upload_id, u in self._uploads.items()
                },
            }

    def close(self) -> None:
        """Nothing to release (the files stay until :meth:`reset` or the backend's cleanup)."""

    def _new_path(self, folder: str, suffix: str) -> Path:
        return self.root / folder / f"{next(self._counter):08d}-{suffix}.bin"

    # -- signing -----------------------------------------------------------------------------
    def _signature(self, method: str, key: str, params: Mapping[str, str]) -> str:
        items = sorted((k, v) for k, v in params.items() if k != "X-Amz-Signature")
        message = "\n".join(
            [method.upper(), f"/{self.bucket}/{key}", urlencode(items, quote_via=quote)]
        )
        return hmac.new(self._secret, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def _presign(
        self, method: str, key: str, expires_at: datetime, extra: Mapping[str, str]
    ) -> str:
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        seconds = max(1, math.ceil((expires_at - now).total_seconds()))
        params = {
            **extra,
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"{ACCESS_KEY}/{now:%Y%m%d}/{REGION}/s3/aws4_request",
            "X-Amz-Date": now.strftime(_DATE_FORMAT),
            "X-Amz-Expires": str(seconds),
            "X-Amz-SignedHeaders": "host",
        }
        params["X-Amz-Signature"] = self._signature(method, key, params)
        query = urlencode(sorted(params.items()), quote_via=quote)
        return f"{self.endpoint_url}/{self.bucket}/{quote(key, safe='/~')}?{query}"

    def verify(self, method: str, key: str, query: Mapping[str, str]) -> None:
        """Check a presigned request: 403 ``AccessDenied`` (unsigned, expired) or
        ``SignatureDoesNotMatch`` (tampered, or signed for another method or key)."""
        if "X-Amz-Signature" not in query or any(p not in query for p in _SIGNED_PARAMS):
            raise StorageError(
                "AccessDenied", "Request is missing the presigned-URL query parameters.", 403
            )
        expected = self._signature(method, key, query)
        if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
            raise StorageError(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                403,
            )
        try:
            signed_at = datetime.strptime(query["X-Amz-Date"], _DATE_FORMAT).replace(tzinfo=UTC)
            expires = int(query["X-Amz-Expires"])
        except ValueError:
            raise StorageError("AccessDenied", "Invalid date or expiry.", 403) from None
        if self.clock() > signed_at + timedelta(seconds=expires):
            raise StorageError("AccessDenied", "Request has expired", 403)

    # -- the ObjectStore interface -------------------------------------------------------------
    def presign_put(
        self, key: str, *, expires_at: datetime, content_type: str | None = None
    ) -> str:
        """A presigned PutObject URL (``content_type`` is accepted and not enforced)."""
        return self._presign("PUT", key, expires_at, {})

    def create_multipart_upload(self, key: str) -> str:
        """Start a multipart upload; returns its id."""
        with self._lock:
            self._upload_count += 1  # ids follow from the secret (the seed): reproducible
            message = f"upload:{self._upload_count}".encode()
            upload_id = hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]
            self._uploads[upload_id] = _Upload(key)
        return upload_id

    def presign_upload_part(
        self, key: str, upload_id: str, part_number: int, *, expires_at: datetime
    ) -> str:
        """A presigned UploadPart URL (``InvalidArgument`` outside 1-10,000)."""
        _check_part_number(part_number)
        extra = {"partNumber": str(part_number), "uploadId": upload_id}
        return self._presign("PUT", key, expires_at, extra)

    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> StoredObject:
        """The parts become the object's segments (no copy); see :class:`ObjectStore`."""
        with self._lock:
            upload = self._upload(key, upload_id)
            if not parts:
                raise StorageError(
                    "MalformedXML", "The XML you provided did not list any parts.", 400
                )
            numbers = [number for number, _ in parts]
            if any(b <= a for a, b in itertools.pairwise(numbers)):
                raise StorageError(
                    "InvalidPartOrder",
                    "The list of parts was not in ascending order. "
                    "Parts must be ordered by part number.",
                    400,
                )
            chosen: list[_Part] = []
            for number, etag in parts:
                part = upload.parts.get(number)
                if part is None or _unquote_etag(etag or "") != part.md5:
                    raise StorageError(
                        "InvalidPart",
                        "One or more of the specified parts could not be found. The part may "
                        "not have been uploaded, or the specified entity tag may not match "
                        f"the part's entity tag (part {number}).",
                        400,
                    )
                chosen.append(part)
            for number, part in zip(numbers[:-1], chosen[:-1], strict=True):
                if part.size < MIN_PART_BYTES:
                    raise StorageError(
                        "EntityTooSmall",
                        "Your proposed upload is smaller than the minimum allowed size "
                        f"(part {number}: {part.size} bytes; the minimum is {MIN_PART_BYTES}).",
                        400,
                    )
            del self._uploads[upload_id]
            upload.open = False
            used = {id(part) for part in chosen}
            unused = [p.path for p in upload.parts.values() if id(p) not in used]
            segments = tuple(part.path for part in chosen)
            self._folds[segments] = upload.fold
            stored = StoredObject(
                key=key,
                size=sum(part.size for part in chosen),
                etag=multipart_etag([part.md5 for part in chosen]),
                segments=segments,
                content_type="application/octet-stream",
            )
            self._objects[key] = stored
        for path in unused:  # parts not listed are discarded, as S3 does
            path.unlink(missing_ok=True)
        return stored

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        """Forget the upload and delete its parts."""
        with self._lock:
            upload = self._upload(key, upload_id)
            del self._uploads[upload_id]
            upload.open = False
        for part in upload.parts.values():
            part.path.unlink(missing_ok=True)

    def head_object(self, key: str) -> StoredObject | None:
        """The object at ``key`` or None."""
        with self._lock:
            return self._objects.get(key)

    def content_hashes(self, key: str) -> tuple[str, str]:
        """(MD5, SHA-1) hex of the content, one streamed pass over the segments (cached)."""
        stored = self.get_object(key)
        assert stored.segments is not None
        with self._lock:
            cached = self._hashes.get(stored.segments)
        if cached is not None:
            return cached
        md5, sha1 = hashlib.md5(), hashlib.sha1()
        for path in stored.segments:
            _hash_file(path, md5, sha1)
        result = (md5.hexdigest(), sha1.hexdigest())
        with self._lock:
            self._hashes[stored.segments] = result
        return result

    def content_hash(self, key: str, algorithm: HashAlgorithm = "md5") -> str:
        """One hash of the content: a single PUT's MD5 is its ETag (computed while the body
        streamed in), a multipart object's MD5 was folded while its parts arrived (only the
        rest is hashed now); anything else is one streamed pass over the segments (cached)."""
        stored = self.get_object(key)
        assert stored.segments is not None
        etag = stored.etag.strip('"')
        if algorithm == "md5" and "-" not in etag:
            return etag
        with self._lock:
            cached = self._hashes.get(stored.segments)
            known = self._md5s.get(stored.segments)
            fold = self._folds.get(stored.segments)
        if cached is not None:
            return cached[0] if algorithm == "md5" else cached[1]
        if algorithm == "md5":
            if known is not None:
                return known
            if fold is not None:
                folded = self._finish_fold(stored.segments, fold)
                if folded is not None:
                    return folded
        digest = hashlib.new(algorithm)
        for path in stored.segments:
            _hash_file(path, digest)
        return digest.hexdigest()

    # -- the MD5 folded while parts arrive ---------------------------------------------------
    def _schedule_fold(self, upload: _Upload) -> None:
        """(under the lock) Fold whatever of ``upload`` can be folded now, in the background."""
        self._fold_queue.append(upload)
        if not self._folding:
            self._folding = True
            threading.Thread(target=self._folder, name="storage-md5-fold", daemon=True).start()

    def _folder(self) -> None:
        """The background folder: drains the queue, then exits (restarted on demand)."""
        while True:
            with self._lock:
                if not self._fold_queue:
                    self._folding = False
                    return
                upload = self._fold_queue.popleft()
            self._fold_ready(upload)

    def _fold_ready(self, upload: _Upload) -> None:
        """Extend ``upload``'s fold with each next part that is stored, while it is open."""
        fold = upload.fold
        with fold.lock:
            while True:
                number = len(fold.parts) + 1
                with self._lock:
                    part = upload.parts.get(number)
                    if not upload.open or upload.fold is not fold or part is None:
                        return
                # Into a copy: ``fold.md5`` only ever takes whole parts that are still the
                # upload's (a completion may be about to use it).
                extended = fold.md5.copy()
                try:
                    _hash_file(part.path, extended)
                except OSError:  # replaced or discarded meanwhile
                    part = None
                with self._lock:
                    if part is None or upload.parts.get(number) is not part:
                        # The part was sent again while it was hashed: this fold is void.
                        if upload.fold is fold:
                            upload.fold = _Fold()
                            if upload.open:
                                self._schedule_fold(upload)
                        return
                    fold.md5 = extended
                    fold.parts.append(part)

    def _finish_fold(self, segments: tuple[Path, ...], fold: _Fold) -> str | None:
        """The object's MD5 from its fold (hashing the segments not folded yet), or None when
        the fold is not a prefix of the object's parts."""
        with fold.lock:
            if fold.result is None:
                count = len(fold.parts)
                if count > len(segments) or any(
                    p.path != s for p, s in zip(fold.parts, segments, strict=False)
                ):
                    with self._lock:
                        self._folds.pop(segments, None)
                    return None
                for path in segments[count:]:
                    _hash_file(path, fold.md5)
                fold.result = fold.md5.hexdigest()
            md5 = fold.result
        with self._lock:
            self._md5s[segments] = md5
            self._folds.pop(segments, None)
        return md5

    def presign_get(self, key: str, *, expires_at: datetime, filename: str | None = None) -> str:
        """A presigned GetObject URL (``filename``: ``Content-Disposition: attachment``)."""
        extra = {}
        if filename is not None:
            escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
            extra["response-content-disposition"] = f'attachment; filename="{escaped}"'
        return self._presign("GET", key, expires_at, extra)

    # -- what the S3 HTTP surface calls ----------------------------------------------------------
    def get_object(self, key: str) -> StoredObject:
        """The object at ``key`` (404 ``NoSuchKey``)."""
        stored = self.head_object(key)
        if stored is None:
            raise StorageError("NoSuchKey", "The specified key does not exist.", 404)
        return stored

    def put_object(
        self, key: str, body: UploadedFile, *, content_type: str | None = None
    ) -> StoredObject:
        """Store a spooled body as ``key`` (taking the file: it is moved, not copied)."""
        if body.size > MAX_OBJECT_BYTES:
            raise StorageError(
                "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", 400
            )
        with self._lock:
            target = self._new_path("objects", "object")
        _move(body.take(), target)
        stored = StoredObject(
            key=key,
            size=body.size,
            etag=f'"{body.md5}"',
            segments=(target,),
            content_type=content_type or "application/octet-stream",
        )
        with self._lock:
            self._objects[key] = stored
        return stored

    def upload_part(self, key: str, upload_id: str, part_number: int, body: UploadedFile) -> str:
        """Store a spooled part (moved into place); returns its quoted ETag."""
        _check_part_number(part_number)
        if body.size > MAX_PART_BYTES:
            raise StorageError(
                "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", 400
            )
        with self._lock:
            self._upload(key, upload_id)
            target = self._new_path("parts", f"part{part_number}")
        _move(body.take(), target)
        with self._lock:
            upload = self._uploads.get(upload_id)
            if upload is None or upload.key != key:  # aborted or completed meanwhile
                target.unlink(missing_ok=True)
                raise _no_such_upload()
            old = upload.parts.get(part_number)
            upload.parts[part_number] = _Part(target, body.size, body.md5)
            if old is not None and any(p is old for p in upload.fold.parts):
                upload.fold = _Fold()  # what was folded is not the part any more
            self._schedule_fold(upload)
        if old is not None:  # a part sent again replaces the earlier one (never handed out)
            old.path.unlink(missing_ok=True)
        return f'"{body.md5}"'

    def _upload(self, key: str, upload_id: str) -> _Upload:
        upload = self._uploads.get(upload_id)
        if upload is None or upload.key != key:
            raise _no_such_upload()
        return upload


def _no_such_upload() -> StorageError:
    return StorageError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload "
        "may have been aborted or completed.",
        404,
    )


def _check_part_number(part_number: int) -> None:
    if not 1 <= part_number <= MAX_PARTS:
        raise StorageError(
            "InvalidArgument",
            f"Part number must be an integer between 1 and {MAX_PARTS}, inclusive",
            400,
        )


def check_content_md5(header: str | None, md5_hex: str) -> None:
    """Compare a ``Content-MD5`` header (base64 of the binary MD5) with the body's MD5."""
    if header is None:
        return
    try:
        sent = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        sent = b""
    if len(sent) != 16:
        raise StorageError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400)
    if sent.hex() != md5_hex:
        raise StorageError(
            "BadDigest", "The Content-MD5 you specified did not match what we received.", 400
        )


def _hash_file(path: Path, *digests: Any) -> None:
    """Update each of ``digests`` (hashlib objects) with the content of ``path``."""
    with path.open("rb", buffering=0) as fh:
        block = bytearray(_BLOCK)
        view = memoryview(block)
        while n := fh.readinto(block):
            for digest in digests:
                digest.update(view[:n])


def _move(source: Path, target: Path) -> None:
    try:
        source.replace(target)  # same file system (the spool folder is a sibling): a rename
    except OSError:
        shutil.move(source, target)
