"""Domain errors: each carries the HTTP status and the JSON body the backend would send."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "bad_request",
    "field_error",
    "forbidden",
    "not_found",
    "unauthorized",
]


class ApiError(Exception):
    """An error answer: ``status``, JSON ``body`` and optional extra ``headers``."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def bad_request(detail: str, **extra: Any) -> ApiError:
    return ApiError(400, {"detail": detail, **extra})


def field_error(field: str, *messages: str) -> ApiError:
    return ApiError(400, {field: list(messages)})


def not_found(detail: str = "Not found.") -> ApiError:
    return ApiError(404, {"detail": detail})


def unauthorized(detail: str) -> ApiError:
    return ApiError(401, {"detail": detail})


def forbidden(detail: str = "You do not have permission to perform this action.") -> ApiError:
    return ApiError(403, {"detail": detail})
