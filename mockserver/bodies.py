"""Reading what a handler needs from a request: tenant, JSON body, path id, flags."""

from __future__ import annotations

from typing import Any

from mockserver.errors import ApiError, bad_request, not_found
from mockserver.http import MockRequest
from mockserver.validation import type_name

__all__ = ["flag", "json_body", "json_object", "path_int", "tenant_of"]


def tenant_of(request: MockRequest) -> str:
    assert request.tenant is not None, "the dispatcher authenticates API routes"
    return request.tenant


def json_body(request: MockRequest) -> Any:
    if request.is_multipart:
        raise ApiError(415, {"detail": 'Unsupported media type "multipart/form-data" in request.'})
    if not request.body:
        raise bad_request("JSON parse error - the request body is empty.")
    try:
        return request.json()
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def json_object(request: MockRequest) -> dict[str, Any]:
    body = json_body(request)
    if not isinstance(body, dict):
        raise ApiError(
            400,
            {
                "non_field_errors": [
                    f"Invalid data. Expected a dictionary, but got {type_name(body)}."
                ]
            },
        )
    return body


def path_int(request: MockRequest) -> int:
    value = int(request.path_params["id"])
    if value > 2**63 - 1:
        raise not_found()
    return value


def flag(request: MockRequest, name: str) -> bool:
    """A boolean query parameter (``true``/``1``), False when absent."""
    return (request.query_get(name) or "").strip().lower() in {"true", "1"}
