"""Domain records → the v2 JSON shapes of openapi.yaml (inside the envelope's ``data``)."""

from __future__ import annotations

from typing import Any

from mockserver.models import DataCollection, DataFile, DataUnit
from mockserver.presigned import FinalizeResult, IssuedUpload
from mockserver.serializers import FILE_TYPE_DISPLAY, spec_json
from mockserver.state import Backend

__all__ = [
    "collection_detail_json",
    "collection_list_json",
    "data_file_detail_json",
    "data_file_list_json",
    "finalize_json",
    "unit_detail_json",
    "unit_list_json",
    "upload_urls_json",
]


def _tenant_id(backend: Backend, code: str) -> int:
    return list(backend.tenants).index(code) + 1 if code in backend.tenants else 0


def collection_list_json(backend: Backend, collection: DataCollection) -> dict[str, Any]:
    projects = sum(1 for p in backend.projects.values() if p.data_collection == collection.id)
    return {
        "id": collection.id,
        "name": collection.name,
        "category": collection.category,
        "category_display": FILE_TYPE_DISPLAY.get(collection.category, collection.category),
        "access_level": "private",
        "is_archived": False,
        "created": collection.created_at.isoformat(),
        "count_projects": projects,
    }


def collection_detail_json(backend: Backend, collection: DataCollection) -> dict[str, Any]:
    specs = []
    for spec in collection.specs:
        body = spec_json(spec)
        body.pop("extensions", None)  # v2 specs carry no extensions (a catalogue has them)
        specs.append(body)
    return {
        **collection_list_json(backend, collection),
        "tenant_id": _tenant_id(backend, collection.tenant),
        "description": collection.description,
        "meta": {},
        "caution": collection.caution,
        "file_specifications": specs,
    }


def data_file_list_json(record: DataFile) -> dict[str, Any]:
    return {
        "id": record.id,
        "checksum": record.checksum,
        "file_size": record.size,
        "created": record.created_at.isoformat(),
    }


def data_file_detail_json(record: DataFile) -> dict[str, Any]:
    return {
        **data_file_list_json(record),
        "meta": {"filename": record.filename},
        "storage_id": 1,
    }


def unit_list_json(unit: DataUnit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "data_collection_id": unit.data_collection,
        "checksum": unit.checksum,
        "created": unit.created_at.isoformat(),
    }


def unit_detail_json(backend: Backend, unit: DataUnit) -> dict[str, Any]:
    group = backend.group_id(unit.tenant, unit.data_collection, unit.groups) if unit.groups else 0
    return {**unit_list_json(unit), "group_id": group, "meta": unit.meta}


def upload_urls_json(issued: list[IssuedUpload], expires_at: str) -> dict[str, Any]:
    return {
        "files": [
            {
                "filename": item.filename,
                "file_key": item.file_key,
                "presigned_url": item.presigned_url,
                "multipart": item.multipart,
            }
            for item in issued
        ],
        "expires_at": expires_at,
    }


def finalize_json(results: list[FinalizeResult], *, with_created: bool) -> dict[str, Any]:
    """v2 ``finalize-upload`` (``with_created``) or v1 ``confirm_upload`` body."""
    rows = []
    for result in results:
        row: dict[str, Any] = {
            "file_key": result.file_key,
            "checksum": result.checksum,
            "data_file_id": result.data_file_id,
            "success": result.success,
            "error": result.error,
        }
        if with_created:
            row["created"] = result.created
        rows.append(row)
    succeeded = sum(1 for r in results if r.success)
    return {
        "results": rows,
        "created_count": succeeded,
        "failed_count": len(results) - succeeded,
    }
