"""The v2 wire format: every 2xx wrapped in ``{data, meta}``, errors in ``{error, meta}``."""

from __future__ import annotations

from typing import Any

from mockserver.errors import ApiError, InvalidRequest
from mockserver.http import MockResponse
from mockserver.state import Backend

__all__ = ["error_response", "ok", "request_id"]

_CODES = {
    400: "VALIDATION_ERROR",
    401: "NOT_AUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "THROTTLED",
}


def request_id(backend: Backend) -> str:
    """A fresh ``req_…`` id (reproducible for a seed)."""
    return f"req_{backend.new_token()[:12]}"


def ok(
    backend: Backend, data: Any, *, status: int = 200, pagination: dict[str, Any] | None = None
) -> MockResponse:
    """A success envelope; lists carry ``meta.pagination``."""
    meta: dict[str, Any] = {"request_id": request_id(backend)}
    if pagination is not None:
        meta["pagination"] = pagination
    return MockResponse.json_response(status, {"data": data, "meta": meta})


def _details(exc: ApiError) -> list[dict[str, str]] | None:
    if isinstance(exc, InvalidRequest):
        return [{"field": f, "message": m} for f, m in exc.details]
    body = exc.body
    if isinstance(body, dict) and "detail" not in body:
        return [
            {"field": str(f), "message": str(m)}
            for f, ms in body.items()
            for m in (ms if isinstance(ms, list) else [ms])
        ]
    return None


def _message(exc: ApiError) -> str:
    if isinstance(exc, InvalidRequest):
        return exc.message
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return "Invalid request." if exc.status == 400 else "Request failed."


def error_response(backend: Backend, exc: ApiError) -> MockResponse:
    """The v2 error envelope for ``exc`` (same status and extra headers)."""
    body = {
        "error": {
            "code": _CODES.get(exc.status, "ERROR"),
            "message": _message(exc),
            "details": _details(exc),
        },
        "meta": {"request_id": request_id(backend)},
    }
    return MockResponse.json_response(exc.status, body, exc.headers)
