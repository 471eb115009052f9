"""The S3 HTTP surface of the embedded store, over the neutral request and response.

Path-style addressing on the storage origin: ``PUT /{bucket}/{key}`` (``storagePutObject``),
``PUT /{bucket}/{key}?partNumber=N&uploadId=U`` (``storageUploadPart``), ``GET`` and ``HEAD
/{bucket}/{key}`` (``storageGetObject``, ``storageHeadObject``). The presigned signature is
the authentication (no Synapse headers); Content-Type is optional; a ``Content-MD5`` header is
checked (``BadDigest``). Errors are S3's XML with ``Content-Type: application/xml``. The
dispatcher consults :func:`match_storage` for every request to the storage origin; PUT bodies
arrive spooled to disk (``MockRequest.raw_body``, MD5 already computed).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote
from xml.sax.saxutils import escape

from mockserver.faults import Fault
from mockserver.http import MockRequest, MockResponse
from mockserver.storage.base import ObjectStore, StorageError
from mockserver.storage.embedded import EmbeddedStore, check_content_md5

__all__ = [
    "STORAGE_OPERATIONS",
    "StorageHandler",
    "StorageRoute",
    "error_response",
    "injected_response",
    "match_storage",
]

XML_CONTENT_TYPE = "application/xml"
StorageHandler = Callable[[ObjectStore, MockRequest], MockResponse]
_STATUS_CODES = {
    400: ("BadRequest", "Bad Request"),
    403: ("AccessDenied", "Access Denied"),
    404: ("NoSuchKey", "The specified key does not exist."),
    408: (
        "RequestTimeout",
        "Your socket connection to the server was not read from or written "
        "to within the timeout period.",
    ),
    409: ("OperationAborted", "A conflicting conditional operation is currently in progress."),
    429: ("SlowDown", "Please reduce your request rate."),
    500: ("InternalError", "We encountered an internal error. Please try again."),
    501: ("NotImplemented", "A header you provided implies functionality that is not implemented."),
    503: ("SlowDown", "Please reduce your request rate."),
    504: ("GatewayTimeout", "The gateway timed out."),
}


def _request_id() -> str:
    return secrets.token_hex(8).upper()


def error_response(
    code: str, message: str, status: int, headers: dict[str, str] | None = None
) -> MockResponse:
    """An S3 XML error answer."""
    request_id = _request_id()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"<RequestId>{request_id}</RequestId></Error>"
    )
    all_headers = {"x-amz-request-id": request_id, **(headers or {})}
    return MockResponse(
        status=status,
        raw=body.encode("utf-8"),
        headers=all_headers,
        content_type=XML_CONTENT_TYPE,
    )


def injected_response(fault: Fault) -> MockResponse | None:
    """The answer of an injected fault on a storage operation.

    A ``status`` fault answers S3-style XML (500 ``InternalError``, 503 ``SlowDown``, ...;
    ``Retry-After`` when set; a string ``body`` becomes the message); a ``respond`` fault is
    sent as given (e.g. a proxy's ``text/html`` 400, :meth:`FaultController.proxy_error`).
    """
    if fault.kind != "status":
        return fault.response()
    code, message = _STATUS_CODES.get(fault.status, ("InternalError", f"Injected {fault.status}"))
    if isinstance(fault.body, str):
        message = fault.body
    return error_response(code, message, fault.status, fault.response_headers())


@dataclass(frozen=True)
class StorageRoute:
    """A storage operation: its operationId (call log, faults) and handler."""

    operation_id: str
    handler: StorageHandler


def _embedded(store: ObjectStore) -> EmbeddedStore:
    if not isinstance(store, EmbeddedStore):
        raise StorageError(
            "NotImplemented",
            f"This fake's storage is served at {store.endpoint_url}, not by the fake.",
            501,
        )
    return store


def _key(store: ObjectStore, request: MockRequest) -> str:
    """The key of ``/{bucket}/{key}`` (404 ``NoSuchBucket`` for another bucket)."""
    bucket, _, key = request.path.lstrip("/").partition("/")
    if unquote(bucket) != store.bucket:
        raise StorageError("NoSuchBucket", "The specified bucket does not exist.", 404)
    if not key:
        raise StorageError("NotImplemented", "Bucket operations are not implemented.", 501)
    return key


def _query(request: MockRequest) -> dict[str, str]:
    return dict(request.query_items)


def _body(request: MockRequest) -> tuple[MockRequest, str | None]:
    assert request.raw_body is not None, "storage PUT bodies are spooled (body_mode)"
    length = request.header("content-length")
    if length is not None and length.strip().isdigit() and int(length) != request.raw_body.size:
        raise StorageError(
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            400,
        )
    check_content_md5(request.header("content-md5"), request.raw_body.md5)
    return request, request.header("content-type")


def put_object(store: ObjectStore, request: MockRequest) -> MockResponse:
    embedded = _embedded(store)
    key = _key(store, request)
    embedded.verify("PUT", key, _query(request))
    _, content_type = _body(request)
    assert request.raw_body is not None
    stored = embedded.put_object(key, request.raw_body, content_type=content_type)
    return MockResponse(status=200, raw=b"", headers={"etag": stored.etag}, content_type=None)


def upload_part(store: ObjectStore, request: MockRequest) -> MockResponse:
    embedded = _embedded(store)
    key = _key(store, request)
    query = _query(request)
    embedded.verify("PUT", key, query)
    try:
        number = int(query.get("partNumber", ""))
    except ValueError:
        raise StorageError(
            "InvalidArgument", "Part number must be an integer between 1 and 10000.", 400
        ) from None
    _body(request)
    assert request.raw_body is not None
    etag = embedded.upload_part(key, query.get("uploadId", ""), number, request.raw_body)
    return MockResponse(status=200, raw=b"", headers={"etag": etag}, content_type=None)


def _object_response(store: ObjectStore, request: MockRequest, *, head: bool) -> MockResponse:
    embedded = _embedded(store)
    key = _key(store, request)
    query = _query(request)
    embedded.verify("GET", key, query)  # HEAD is accepted on a presigned GET URL
    stored = embedded.get_object(key)
    headers = {"etag": stored.etag, "accept-ranges": "bytes"}
    disposition = query.get("response-content-disposition")
    if disposition:
        headers["content-disposition"] = disposition
    return MockResponse(
        status=200,
        headers=headers,
        file_paths=stored.segments,
        file_size=stored.size,
        content_type=stored.content_type or "application/octet-stream",
        head=head,
    )


def get_object(store: ObjectStore, request: MockRequest) -> MockResponse:
    return _object_response(store, request, head=False)


def head_object(store: ObjectStore, request: MockRequest) -> MockResponse:
    return _object_response(store, request, head=True)


STORAGE_OPERATIONS: tuple[str, ...] = (
    "storagePutObject",
    "storageUploadPart",
    "storageGetObject",
    "storageHeadObject",
)


def match_storage(request: MockRequest) -> StorageRoute | None:
    """The operation of a storage-origin request (None: 405 ``MethodNotAllowed``)."""
    method = request.method.upper()
    if method == "PUT":
        query = _query(request)
        if "partNumber" in query or "uploadId" in query:
            return StorageRoute("storageUploadPart", upload_part)
        return StorageRoute("storagePutObject", put_object)
    if method == "GET":
        return StorageRoute("storageGetObject", get_object)
    if method == "HEAD":
        return StorageRoute("storageHeadObject", head_object)
    return None


def run_storage(route: StorageRoute, store: ObjectStore, request: MockRequest) -> MockResponse:
    """Run a storage handler; :class:`StorageError` becomes its XML answer."""
    try:
        response = route.handler(store, request)
    except StorageError as exc:
        response = error_response(exc.code, exc.message, exc.status)
    if request.method.upper() == "HEAD" and response.status >= 300:
        response.head = True  # HEAD errors carry no body
        response.file_size = 0
    return response
