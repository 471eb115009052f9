"""Domain records → the JSON shapes of openapi.yaml."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from mockserver.models import ChunkedUpload, DataCollection, DataFile, DataUnit, FileSpec, Task
from mockserver.names import safe_name
from mockserver.state import Backend

__all__ = [
    "collection_json",
    "data_file_json",
    "download_url",
    "safe_name",
    "task_json",
    "unit_json",
    "upload_json",
]

FILE_TYPE_DISPLAY = {
    "audio": "Audio",
    "data": "Data",
    "image": "Image",
    "pcd": "Point cloud",
    "text": "Text",
    "video": "Video",
}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def download_url(backend: Backend, base_url: str, record: DataFile) -> str:
    """An absolute presigned URL (no auth headers needed): served by the fake itself, or by
    the object store for a presigned upload kept only there (a remote store)."""
    expires = backend.download_expiry()
    if not record.segments and record.object_key is not None:
        return backend.object_store.presign_get(
            record.object_key,
            expires_at=datetime.fromtimestamp(expires, tz=UTC),
            filename=safe_name(record.filename),
        )
    query = urlencode({"expires": expires, "signature": backend.signer.sign(record.id, expires)})
    name = quote(safe_name(record.filename), safe="")
    return f"{base_url}/_storage/{record.id}/{name}?{query}"


def spec_json(spec: FileSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": spec.id,
        "name": spec.name,
        "description": spec.description,
        "file_type": spec.file_type,
        "file_type_display": FILE_TYPE_DISPLAY.get(spec.file_type, spec.file_type),
        "configuration": spec.configuration,
        "is_sequential": spec.is_sequential,
        "is_required": spec.is_required,
        "is_primary": spec.is_primary,
        "function_type": spec.function_type,
        "index": spec.index,
    }
    if spec.extensions is not None:
        body["extensions"] = list(spec.extensions)
    return body


def collection_json(collection: DataCollection, *, with_specs: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": collection.id,
        "name": collection.name,
        "description": collection.description,
        "project": collection.project,
        "created_at": _iso(collection.created_at),
    }
    if with_specs:
        body["file_specifications"] = [spec_json(s) for s in collection.specs]
    return body


def data_file_json(backend: Backend, base_url: str, record: DataFile) -> dict[str, Any]:
    return {
        "id": record.id,
        "checksum": record.checksum,
        "size": record.size,
        "file": download_url(backend, base_url, record),
        "created_at": _iso(record.created_at),
        "updated_at": _iso(record.created_at),
    }


def upload_json(base_url: str, upload: ChunkedUpload) -> dict[str, Any]:
    complete = upload.completed_at is not None
    return {
        "id": upload.id,
        "url": f"{base_url}/chunked_upload/{upload.id}/",
        "file": None,
        "filename": upload.filename,
        "offset": upload.offset,
        "created_at": _iso(upload.created_at),
        "status": upload.status,
        "completed_at": _iso(upload.completed_at),
        "checksum": upload.checksum if complete else None,
        "size": upload.offset if complete else None,
    }


def unit_json(backend: Backend, base_url: str, unit: DataUnit) -> dict[str, Any]:
    collection = backend.collections.get(unit.data_collection)
    files: dict[str, Any] = {}
    for ref in unit.files:
        record = backend.data_files[ref.data_file_id]
        spec = collection.spec(ref.spec_name) if collection else None
        entry: dict[str, Any] = {
            "id": record.id,
            "checksum": record.checksum,
            "url": download_url(backend, base_url, record),
            "file_type": spec.file_type if spec else "data",
            "is_primary": spec.is_primary if spec else False,
            "file_name_original": safe_name(ref.path_original or record.filename),
            "size": record.size,
        }
        if ref.path_original is not None:
            entry["path_original"] = ref.path_original
        files[ref.spec_name] = entry
    return {
        "id": unit.id,
        "data_collection": unit.data_collection,
        "files": files,
        "meta": unit.meta,
        "groups": unit.groups,
        "created_at": _iso(unit.created_at),
    }


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "project": task.project,
        "data_unit": task.data_unit,
        "created_at": _iso(task.created_at),
    }
