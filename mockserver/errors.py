"""Domain errors: each carries the HTTP status and the JSON body the backend would send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ApiError",
    "InvalidRequest",
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


class InvalidRequest(ApiError):
    """A 400 with per-field messages: ``details`` as (field path, message) pairs.

    The v1 body is DRF-style (``{field: [messages]}``); v2 renders ``details`` into its error
    envelope.
    """

    def __init__(
        self, details: Sequence[tuple[str, str]], message: str = "Invalid request."
    ) -> None:
        body: dict[str, list[str]] = {}
        for field, text in details:
            body.setdefault(field, []).append(text)
        super().__init__(400, body)
        self.details = list(details)
        self.message = message


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
