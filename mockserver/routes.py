"""The one route table read by both transports: (method, path regex, operationId, handler).

API routes need auth and are documented in openapi.yaml; ``/_storage/`` serves presigned
downloads without auth. The ``/_mock/`` control routes act on the dispatcher, not on the
backend, so they live in their own table (:mod:`mockserver.control`), which the dispatcher
consults first. Patterns match the path after the fake's base path and use named groups for
path params. ``hash_parts`` tells both transports whether multipart file parts are MD5-hashed
while they stream in (not for chunk PUTs: the upload hashes its segments off the request path).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from mockserver import handlers
from mockserver.http import MockRequest, MockResponse
from mockserver.state import Backend
from mockserver.v2 import handlers as v2

__all__ = [
    "API_OPERATIONS",
    "ROUTES",
    "ApiHandler",
    "ApiVersion",
    "Route",
    "RouteKind",
    "match_route",
]

RouteKind = Literal["api", "storage"]
ApiVersion = Literal["v1", "v2"]
ApiHandler = Callable[[Backend, MockRequest], MockResponse]

_INT = r"(?P<id>[0-9]{1,30})"
_UPLOAD = r"(?P<id>[^/]{1,200})"


@dataclass(frozen=True)
class Route:
    """One row of the table."""

    method: str
    pattern: re.Pattern[str]
    operation_id: str
    handler: ApiHandler
    kind: RouteKind = "api"
    documented: bool = True
    hash_parts: bool = True
    """Hash multipart file parts while they stream in (False: chunk segments, hashed later)."""
    api: ApiVersion = "v1"
    """v2 routes take v2 credentials and answer errors in the v2 envelope."""

    @property
    def auth(self) -> bool:
        return self.kind == "api"


def _api(
    method: str,
    path: str,
    handler: ApiHandler,
    *,
    documented: bool = True,
    hash_parts: bool = True,
    api: ApiVersion = "v1",
) -> Route:
    return Route(
        method,
        re.compile(f"^{path}$"),
        handler.__name__,
        handler,
        documented=documented,
        hash_parts=hash_parts,
        api=api,
    )


def _v2(method: str, path: str, handler: ApiHandler) -> Route:
    return _api(method, f"/v2{path}", handler, api="v2")


ROUTES: tuple[Route, ...] = (
    _api("GET", r"/data_collections/", handlers.listDataCollections),
    _api("GET", rf"/data_collections/{_INT}/", handlers.getDataCollection),
    _api("POST", r"/data_files/", handlers.createDataFile),
    _api("POST", r"/data_files/verify_checksums/", handlers.verifyDataFileChecksums),
    _api("POST", r"/data_files/presigned_upload/upload/", handlers.createPresignedUploads),
    _api("POST", r"/data_files/presigned_upload/confirm_upload/", handlers.confirmPresignedUploads),
    _api("PUT", r"/chunked_upload/", handlers.createChunkedUpload, hash_parts=False),
    _api("POST", r"/chunked_upload/", handlers.postChunkedUploadWithoutId, documented=False),
    _api("GET", rf"/chunked_upload/{_UPLOAD}/", handlers.getChunkedUpload),
    _api("PUT", rf"/chunked_upload/{_UPLOAD}/", handlers.uploadChunk, hash_parts=False),
    _api("POST", rf"/chunked_upload/{_UPLOAD}/", handlers.completeChunkedUpload),
    _api("GET", r"/data_units/", handlers.listDataUnits),
    _api("POST", r"/data_units/", handlers.createDataUnits),
    _api("GET", rf"/data_units/{_INT}/", handlers.getDataUnit),
    _api("POST", r"/tasks/", handlers.createTasks),
    _v2("GET", r"/data-collections/", v2.v2ListDataCollections),
    _v2("GET", rf"/data-collections/{_INT}/", v2.v2GetDataCollection),
    _v2("POST", rf"/data-collections/{_INT}/upload-urls/", v2.v2CreateUploadUrls),
    _v2("POST", rf"/data-collections/{_INT}/finalize-upload/", v2.v2FinalizeUpload),
    _v2("GET", r"/data-files/", v2.v2ListDataFiles),
    _v2("GET", rf"/data-files/{_INT}/", v2.v2GetDataFile),
    _v2("POST", r"/data-units/bulk-create/", v2.v2BulkCreateDataUnits),
    _v2("GET", r"/data-units/", v2.v2ListDataUnits),
    _v2("GET", rf"/data-units/{_INT}/", v2.v2GetDataUnit),
    _v2("POST", r"/tasks/bulk-create/", v2.v2BulkCreateTasks),
    Route(
        "GET",
        re.compile(r"^/_storage/(?P<file_id>[0-9]{1,30})/[^/]+$"),
        "downloadFile",
        handlers.downloadFile,
        kind="storage",
        documented=False,
    ),
)

API_OPERATIONS: tuple[str, ...] = tuple(r.operation_id for r in ROUTES if r.kind == "api")


def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path params, path_exists): path_exists tells 405 from 404 when no route."""
    path_exists = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        path_exists = True
        if route.method == method.upper():
            return route, found.groupdict(), True
    return None, {}, path_exists
