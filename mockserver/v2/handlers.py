"""One handler per v2 operationId (``/v2/...``), over the same state as v1.

Handlers return the success envelope; any :class:`~mockserver.errors.ApiError` they raise is
rendered as the v2 error envelope by the dispatcher (``Route.api == "v2"``). Writes take
``?dry_run=true``: everything is checked and answered, nothing is stored.
"""

from __future__ import annotations

from mockserver.bodies import flag, json_object, path_int, tenant_of
from mockserver.errors import InvalidRequest, not_found
from mockserver.http import MockRequest, MockResponse
from mockserver.presigned import MAX_FILES, parse_finalize_request, parse_upload_request
from mockserver.state import Backend
from mockserver.v2.cursor import cursor_page
from mockserver.v2.envelope import ok
from mockserver.v2.serializers import (
    collection_detail_json,
    collection_list_json,
    data_file_detail_json,
    data_file_list_json,
    finalize_json,
    unit_detail_json,
    unit_list_json,
    upload_urls_json,
)
from mockserver.validation import as_int, type_name

__all__ = [
    "v2BulkCreateDataUnits",
    "v2BulkCreateTasks",
    "v2CreateUploadUrls",
    "v2FinalizeUpload",
    "v2GetDataCollection",
    "v2GetDataFile",
    "v2GetDataUnit",
    "v2ListDataCollections",
    "v2ListDataFiles",
    "v2ListDataUnits",
]


def _query_int(request: MockRequest, name: str) -> int | None:
    raw = request.query_get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidRequest([(name, "Enter a whole number.")]) from None


# -- data collections ------------------------------------------------------------------------
def v2ListDataCollections(backend: Backend, request: MockRequest) -> MockResponse:
    category = request.query_get("category")
    items = [
        c for c in backend.list_collections(tenant_of(request)) if category in (None, c.category)
    ]
    data, pagination = cursor_page(
        request, items, lambda c: collection_list_json(backend, c), key=lambda c: c.id
    )
    return ok(backend, data, pagination=pagination)


def v2GetDataCollection(backend: Backend, request: MockRequest) -> MockResponse:
    collection = backend.get_collection(tenant_of(request), path_int(request))
    return ok(backend, collection_detail_json(backend, collection))


def v2CreateUploadUrls(backend: Backend, request: MockRequest) -> MockResponse:
    tenant = tenant_of(request)
    collection = backend.get_collection(tenant, path_int(request))
    files, expiration = parse_upload_request(json_object(request))
    issued, expires_at = backend.presigned.issue(
        tenant, collection.id, files, expiration, dry_run=flag(request, "dry_run")
    )
    return ok(backend, upload_urls_json(issued, expires_at.isoformat()))


def v2FinalizeUpload(backend: Backend, request: MockRequest) -> MockResponse:
    tenant = tenant_of(request)
    collection = backend.get_collection(tenant, path_int(request))
    items = parse_finalize_request(json_object(request))
    results = backend.presigned.finalize(
        tenant, collection.id, items, dry_run=flag(request, "dry_run")
    )
    return ok(backend, finalize_json(results, with_created=True))


# -- data files ------------------------------------------------------------------------------
def v2ListDataFiles(backend: Backend, request: MockRequest) -> MockResponse:
    tenant = tenant_of(request)
    checksum = request.query_get("checksum")
    collection = _query_int(request, "data_collection")
    with backend.lock:
        if checksum:
            first = backend.file_for_checksum(tenant, checksum.lower())
            candidates = [first] if first is not None else []
        else:
            candidates = sorted(
                (f for f in backend.data_files.values() if f.tenant == tenant), key=lambda f: f.id
            )
        items = [f for f in candidates if collection is None or collection in f.collections]
    data, pagination = cursor_page(request, items, data_file_list_json, key=lambda f: f.id)
    return ok(backend, data, pagination=pagination)


def v2GetDataFile(backend: Backend, request: MockRequest) -> MockResponse:
    record = backend.data_file(path_int(request))
    if record is None or record.tenant != tenant_of(request):
        raise not_found()
    return ok(backend, data_file_detail_json(record))


# -- data units ------------------------------------------------------------------------------
def v2BulkCreateDataUnits(backend: Backend, request: MockRequest) -> MockResponse:
    body = json_object(request)
    collection = as_int(body.get("data_collection"))
    units = body.get("units")
    details = []
    if collection is None:
        details.append(("data_collection", "A valid integer is required."))
    if not isinstance(units, list) or not 1 <= len(units) <= MAX_FILES:
        got = f"{len(units)} items" if isinstance(units, list) else type_name(units)
        details.append(("units", f"Give a list of 1 to {MAX_FILES} units, not {got}."))
    if details:
        raise InvalidRequest(details, "The units were not created.")
    assert collection is not None and isinstance(units, list)
    results = backend.bulk_create_units(
        tenant_of(request), collection, units, dry_run=flag(request, "dry_run")
    )
    created = sum(1 for _, _, was_created in results if was_created)
    data = {
        "results": [
            {"data_unit_id": unit_id, "checksum": checksum, "created": was_created}
            for unit_id, checksum, was_created in results
        ],
        "created_count": created,
        "reused_count": len(results) - created,
    }
    return ok(backend, data, status=201)


def v2ListDataUnits(backend: Backend, request: MockRequest) -> MockResponse:
    units = backend.list_units(tenant_of(request), _query_int(request, "data_collection"))
    data, pagination = cursor_page(request, units, unit_list_json, key=lambda u: u.id)
    return ok(backend, data, pagination=pagination)


def v2GetDataUnit(backend: Backend, request: MockRequest) -> MockResponse:
    unit = backend.get_unit(tenant_of(request), path_int(request))
    return ok(backend, unit_detail_json(backend, unit))


# -- tasks -----------------------------------------------------------------------------------
def v2BulkCreateTasks(backend: Backend, request: MockRequest) -> MockResponse:
    body = json_object(request)
    project = as_int(body.get("project"))
    raw_ids = body.get("data_unit_ids")
    details = []
    if project is None:
        details.append(("project", "A valid integer is required."))
    ids = [as_int(i) for i in raw_ids] if isinstance(raw_ids, list) else []
    if not isinstance(raw_ids, list) or not 1 <= len(ids) <= MAX_FILES:
        details.append(("data_unit_ids", f"Give a list of 1 to {MAX_FILES} data unit ids."))
    elif any(i is None or i < 1 for i in ids):
        details.append(("data_unit_ids", "Every id must be a positive integer."))
    if details:
        raise InvalidRequest(details, "No task was created.")
    assert project is not None
    created, skipped = backend.bulk_create_tasks(
        tenant_of(request),
        project,
        [i for i in ids if i is not None],
        dry_run=flag(request, "dry_run"),
    )
    return ok(backend, {"created_count": created, "skipped_count": skipped}, status=201)
