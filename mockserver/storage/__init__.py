"""The fake's object storage."""

from mockserver.storage.base import ObjectStore, StorageError, StoredObject

__all__ = ["ObjectStore", "StorageError", "StoredObject"]
