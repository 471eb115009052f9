"""The fake's object storage: the interface the API handlers call, and its two stores.

- :class:`ObjectStore`: presigned PUT/part/GET URLs, multipart uploads, heads and content
  hashes, with S3's errors (:class:`StorageError`).
- :class:`EmbeddedStore`: disk-backed, served by the fake on its own origin (the S3 HTTP
  surface is :mod:`mockserver.storage.s3http`); the default.
- :class:`RemoteStore` (``mockserver.storage.remote``, needs the ``mock-s3`` extra,
  botocore): a real S3 endpoint, ``synapse-mock serve --storage-endpoint URL``.
"""

from mockserver.storage.base import (
    DEFAULT_BUCKET,
    MAX_OBJECT_BYTES,
    MAX_PART_BYTES,
    MAX_PARTS,
    MIN_PART_BYTES,
    HashAlgorithm,
    ObjectStore,
    StorageError,
    StoredObject,
    multipart_etag,
)
from mockserver.storage.embedded import DEFAULT_STORAGE_URL, EmbeddedStore

__all__ = [
    "DEFAULT_BUCKET",
    "DEFAULT_STORAGE_URL",
    "MAX_OBJECT_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MIN_PART_BYTES",
    "EmbeddedStore",
    "HashAlgorithm",
    "ObjectStore",
    "StorageError",
    "StoredObject",
    "multipart_etag",
]
