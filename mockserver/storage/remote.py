"""A real S3 endpoint as the fake's object storage, over botocore (the ``mock-s3`` extra).

``synapse-mock serve --storage-endpoint URL [--storage-bucket NAME]``: presigned URLs point
at that endpoint (MinIO, moto's server, S3 itself), so uploads go where production's would.
Credentials come from botocore's standard chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``, profiles, ...); the region from
``AWS_DEFAULT_REGION`` (default ``us-east-1``). The bucket is created if missing.
:meth:`RemoteStore.reset` deletes the objects and aborts the uploads this store made (never
anything else in the bucket).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.client import Config
from botocore.exceptions import ClientError

from mockserver.clock import Clock, utc_now
from mockserver.storage.base import DEFAULT_BUCKET, HashAlgorithm, StorageError, StoredObject

__all__ = ["RemoteStore"]

_BLOCK = 1 << 20


def _storage_error(exc: ClientError) -> StorageError:
    error: Any = exc.response.get("Error", {})
    meta: Any = exc.response.get("ResponseMetadata", {})
    return StorageError(
        str(error.get("Code", "InternalError")),
        str(error.get("Message", "")),
        int(meta.get("HTTPStatusCode", 500)),
    )


class RemoteStore:
    """:class:`~mockserver.storage.ObjectStore` over a real S3 endpoint (thread-safe)."""

    def __init__(
        self,
        endpoint_url: str,
        *,
        bucket: str = DEFAULT_BUCKET,
        region: str | None = None,
        clock: Clock | None = None,
        create_bucket: bool = True,
    ) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.clock: Clock = clock or utc_now
        session = botocore.session.get_session()
        self._client: Any = session.create_client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=20,
            ),
        )
        self._lock = threading.Lock()
        self._keys: set[str] = set()
        self._uploads: dict[str, str] = {}
        if create_bucket:
            self._ensure_bucket()

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(**kwargs)
        except ClientError as exc:
            raise _storage_error(exc) from exc

    def _ensure_bucket(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self._call("create_bucket", Bucket=self.bucket)

    def _expires_in(self, expires_at: datetime) -> int:
        return max(1, math.ceil((expires_at - self.clock().astimezone(UTC)).total_seconds()))

    def _presign(self, operation: str, expires_at: datetime, **params: Any) -> str:
        url: str = self._client.generate_presigned_url(
            operation,
            Params={"Bucket": self.bucket, **params},
            ExpiresIn=self._expires_in(expires_at),
        )
        return url

    # -- ObjectStore ---------------------------------------------------------------------------
    def presign_put(
        self, key: str, *, expires_at: datetime, content_type: str | None = None
    ) -> str:
        """A presigned PutObject URL (``content_type`` is then part of the signature)."""
        with self._lock:
            self._keys.add(key)
        extra = {} if content_type is None else {"ContentType": content_type}
        return self._presign("put_object", expires_at, Key=key, **extra)

    def create_multipart_upload(self, key: str) -> str:
        """CreateMultipartUpload; returns the upload id."""
        upload_id: str = self._call("create_multipart_upload", Bucket=self.bucket, Key=key)[
            "UploadId"
        ]
        with self._lock:
            self._uploads[upload_id] = key
        return upload_id

    def presign_upload_part(
        self, key: str, upload_id: str, part_number: int, *, expires_at: datetime
    ) -> str:
        """A presigned UploadPart URL."""
        return self._presign(
            "upload_part", expires_at, Key=key, UploadId=upload_id, PartNumber=part_number
        )

    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> StoredObject:
        """CompleteMultipartUpload, then a HEAD for the size."""
        listed = [{"PartNumber": number, "ETag": etag} for number, etag in parts]
        self._call(
            "complete_multipart_upload",
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": listed},
        )
        with self._lock:
            self._uploads.pop(upload_id, None)
            self._keys.add(key)
        stored = self.head_object(key)
        if stored is None:
            raise StorageError("NoSuchKey", "The completed object is not there.", 404)
        return stored

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        """AbortMultipartUpload."""
        self._call("abort_multipart_upload", Bucket=self.bucket, Key=key, UploadId=upload_id)
        with self._lock:
            self._uploads.pop(upload_id, None)

    def head_object(self, key: str) -> StoredObject | None:
        """HeadObject (None on 404)."""
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            error = _storage_error(exc)
            if error.status == 404:
                return None
            raise error from exc
        return StoredObject(
            key=key,
            size=int(head["ContentLength"]),
            etag=str(head["ETag"]),
            segments=None,
            content_type=head.get("ContentType"),
        )

    def content_hashes(self, key: str) -> tuple[str, str]:
        """(MD5, SHA-1) hex, streaming GetObject once."""
        body = self._call("get_object", Bucket=self.bucket, Key=key)["Body"]
        md5, sha1 = hashlib.md5(), hashlib.sha1()
        try:
            while block := body.read(_BLOCK):
                md5.update(block)
                sha1.update(block)
        finally:
            body.close()
        return md5.hexdigest(), sha1.hexdigest()

    def content_hash(self, key: str, algorithm: HashAlgorithm = "md5") -> str:
        """One hash of the content, streaming GetObject once."""
        body = self._call("get_object", Bucket=self.bucket, Key=key)["Body"]
        digest = hashlib.new(algorithm)
        try:
            while block := body.read(_BLOCK):
                digest.update(block)
        finally:
            body.close()
        return digest.hexdigest()

    def presign_get(self, key: str, *, expires_at: datetime, filename: str | None = None) -> str:
        """A presigned GetObject URL (``filename``: ``ResponseContentDisposition``)."""
        extra: dict[str, Any] = {}
        if filename is not None:
            escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
            extra["ResponseContentDisposition"] = f'attachment; filename="{escaped}"'
        return self._presign("get_object", expires_at, Key=key, **extra)

    def reset(self) -> None:
        """Abort this store's uploads and delete the objects it made."""
        with self._lock:
            uploads, self._uploads = self._uploads, {}
            keys, self._keys = self._keys, set()
        for upload_id, key in uploads.items():
            with contextlib.suppress(ClientError):
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        for key in keys:
            with contextlib.suppress(ClientError):
                self._client.delete_object(Bucket=self.bucket, Key=key)

    def close(self) -> None:
        """Close botocore's connection pool."""
        self._client.close()
