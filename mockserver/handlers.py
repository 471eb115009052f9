"""One handler per operationId of openapi.yaml, over the neutral request/response.

Each handler takes the :class:`~mockserver.state.Backend` and a
:class:`~mockserver.http.MockRequest` whose ``tenant`` the dispatcher has already
authenticated, and returns a :class:`~mockserver.http.MockResponse` or raises
:class:`~mockserver.errors.ApiError`. Handler names are the operationIds on purpose.
"""

from __future__ import annotations

from typing import Any

from mockserver.bodies import json_body as _json_body
from mockserver.bodies import json_object as _json_object
from mockserver.bodies import path_int as _path_int
from mockserver.bodies import tenant_of as _tenant
from mockserver.errors import ApiError, bad_request, field_error
from mockserver.http import MockRequest, MockResponse
from mockserver.pagination import paginate
from mockserver.presigned import parse_finalize_request, parse_upload_request
from mockserver.serializers import (
    collection_json,
    data_file_json,
    safe_name,
    task_json,
    unit_json,
    upload_json,
)
from mockserver.state import Backend
from mockserver.v2.serializers import finalize_json, upload_urls_json
from mockserver.validation import as_int

__all__ = [
    "completeChunkedUpload",
    "confirmPresignedUploads",
    "createChunkedUpload",
    "createDataFile",
    "createDataUnits",
    "createPresignedUploads",
    "createTasks",
    "downloadFile",
    "getChunkedUpload",
    "getDataCollection",
    "getDataUnit",
    "listDataCollections",
    "listDataUnits",
    "uploadChunk",
    "verifyDataFileChecksums",
]

MAX_CHECKSUMS = 1000


def _multipart(request: MockRequest) -> None:
    if not request.is_multipart:
        raise ApiError(
            415,
            {"detail": f'Unsupported media type "{request.content_type or "none"}" in request.'},
        )
    if request.multipart_error:
        raise bad_request(request.multipart_error)


# -- data collections ------------------------------------------------------------------------
def listDataCollections(backend: Backend, request: MockRequest) -> MockResponse:
    items = backend.list_collections(_tenant(request))
    page = paginate(request, items, lambda c: collection_json(c, with_specs=False))
    return MockResponse.json_response(200, page)


def getDataCollection(backend: Backend, request: MockRequest) -> MockResponse:
    collection = backend.get_collection(_tenant(request), _path_int(request))
    expand = {part.strip() for part in (request.query_get("expand") or "").split(",")}
    body = collection_json(collection, with_specs="file_specifications" in expand)
    return MockResponse.json_response(200, body)


# -- data files ------------------------------------------------------------------------------
def createDataFile(backend: Backend, request: MockRequest) -> MockResponse:
    tenant = _tenant(request)
    if request.is_multipart:
        _multipart(request)
        part = request.files.get("file")
        if part is None and "file" in request.form:
            raise field_error(
                "file", "The submitted data was not a file. Check the encoding type on the form."
            )
        filename = safe_name(part.filename or "file") if part else "file"
        record = backend.create_data_file(tenant, part, filename)
    else:
        body = _json_object(request)
        upload_id = body.get("chunked_upload")
        extra = sorted(set(body) - {"chunked_upload"})
        if extra:
            raise ApiError(400, {"non_field_errors": [f"Unknown field(s): {', '.join(extra)}."]})
        if upload_id is None:
            raise field_error("file", "No file was submitted.")
        if not isinstance(upload_id, str) or not upload_id:
            raise field_error("chunked_upload", "Must be a chunked upload id (a string).")
        record = backend.create_data_file_from_upload(tenant, upload_id)
    return MockResponse.json_response(201, data_file_json(backend, request.base_url, record))


def verifyDataFileChecksums(backend: Backend, request: MockRequest) -> MockResponse:
    body = _json_object(request)
    checksums = body.get("checksums")
    extra = sorted(set(body) - {"checksums"})
    if extra:
        raise ApiError(400, {"non_field_errors": [f"Unknown field(s): {', '.join(extra)}."]})
    if checksums is None:
        raise field_error("checksums", "This field is required.")
    if not isinstance(checksums, list) or not all(isinstance(c, str) for c in checksums):
        raise field_error("checksums", "Expected a list of strings.")
    if len(checksums) > MAX_CHECKSUMS:
        raise field_error(
            "checksums", f"Ensure this field has no more than {MAX_CHECKSUMS} elements."
        )
    existing = backend.existing_checksums(_tenant(request), checksums)
    return MockResponse.json_response(200, {"existing_checksums": existing})


# -- presigned upload (v1) ------------------------------------------------------------------
def createPresignedUploads(backend: Backend, request: MockRequest) -> MockResponse:
    files, expiration = parse_upload_request(_json_object(request))
    issued, expires_at = backend.presigned.issue(_tenant(request), None, files, expiration)
    return MockResponse.json_response(200, upload_urls_json(issued, expires_at.isoformat()))


def confirmPresignedUploads(backend: Backend, request: MockRequest) -> MockResponse:
    items = parse_finalize_request(_json_object(request))
    results = backend.presigned.finalize(_tenant(request), None, items)
    return MockResponse.json_response(200, finalize_json(results, with_created=False))


# -- chunked upload --------------------------------------------------------------------------
def _put_chunk(backend: Backend, request: MockRequest, upload_id: str | None) -> MockResponse:
    _multipart(request)
    upload = backend.put_chunk(
        _tenant(request),
        upload_id,
        request.files.get("file"),
        request.header("content-range"),
        request.form.get("filename"),
    )
    return MockResponse.json_response(200, upload_json(request.base_url, upload))


def createChunkedUpload(backend: Backend, request: MockRequest) -> MockResponse:
    return _put_chunk(backend, request, None)


def uploadChunk(backend: Backend, request: MockRequest) -> MockResponse:
    return _put_chunk(backend, request, request.path_params["id"])


def completeChunkedUpload(backend: Backend, request: MockRequest) -> MockResponse:
    tenant = _tenant(request)
    upload_id = request.path_params["id"]
    backend.get_upload(tenant, upload_id)  # 404 before body errors
    if request.is_multipart:
        _multipart(request)
        md5: Any = request.form.get("md5")
    else:
        md5 = _json_object(request).get("md5") if request.body else None
    upload = backend.complete_upload(tenant, upload_id, md5)
    return MockResponse.json_response(200, upload_json(request.base_url, upload))


def getChunkedUpload(backend: Backend, request: MockRequest) -> MockResponse:
    upload = backend.get_upload(_tenant(request), request.path_params["id"])
    return MockResponse.json_response(200, upload_json(request.base_url, upload))


def postChunkedUploadWithoutId(backend: Backend, request: MockRequest) -> MockResponse:
    """Undocumented: the stock server's answer to the SDK's empty-file finalize POST."""
    _tenant(request)
    raise bad_request("No chunk file was submitted")


# -- data units ------------------------------------------------------------------------------
def createDataUnits(backend: Backend, request: MockRequest) -> MockResponse:
    body = _json_body(request)
    as_array = isinstance(body, list)
    if as_array and not body:
        raise ApiError(400, {"non_field_errors": ["This list may not be empty."]})
    items = body if as_array else [body]
    units = backend.create_units(_tenant(request), items, as_array)
    rendered = [unit_json(backend, request.base_url, u) for u in units]
    return MockResponse.json_response(201, rendered if as_array else rendered[0])


def listDataUnits(backend: Backend, request: MockRequest) -> MockResponse:
    raw = request.query_get("data_collection")
    collection_id: int | None = None
    if raw is not None and raw != "":
        try:
            collection_id = int(raw)
        except ValueError:
            raise field_error("data_collection", "Enter a number.") from None
    units = backend.list_units(_tenant(request), collection_id)
    page = paginate(request, units, lambda u: unit_json(backend, request.base_url, u))
    return MockResponse.json_response(200, page)


def getDataUnit(backend: Backend, request: MockRequest) -> MockResponse:
    unit = backend.get_unit(_tenant(request), _path_int(request))
    return MockResponse.json_response(200, unit_json(backend, request.base_url, unit))


# -- tasks -----------------------------------------------------------------------------------
def createTasks(backend: Backend, request: MockRequest) -> MockResponse:
    body = _json_object(request)
    errors: dict[str, list[str]] = {}
    extra = sorted(set(body) - {"project", "data"})
    if extra:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(extra)}."]
    project = as_int(body.get("project"))
    if project is None:
        errors["project"] = [
            "A valid integer is required." if "project" in body else "This field is required."
        ]
    data = body.get("data")
    unit_ids: list[int] = []
    if not isinstance(data, list) or not data:
        errors["data"] = ['Expected a non-empty list of {"data_unit": <id>} objects.']
    else:
        for item in data:
            unit_id = as_int(item.get("data_unit")) if isinstance(item, dict) else None
            if unit_id is None or set(item) != {"data_unit"}:
                errors["data"] = [f'Invalid item {item!r}: expected {{"data_unit": <id>}}.']
                break
            unit_ids.append(unit_id)
    if errors:
        raise ApiError(400, errors)
    assert project is not None
    tasks = backend.create_tasks(_tenant(request), project, unit_ids)
    return MockResponse.json_response(201, [task_json(t) for t in tasks])


# -- presigned download (not an API operation: no auth, not in openapi.yaml) -----------------
def downloadFile(backend: Backend, request: MockRequest) -> MockResponse:
    record = backend.check_download(
        int(request.path_params["file_id"]),
        request.query_get("expires"),
        request.query_get("signature"),
    )
    return MockResponse(
        status=200,
        file_paths=record.segments,
        file_size=record.size,
        content_type="application/octet-stream",
        headers={"content-length": str(record.size)},
    )
