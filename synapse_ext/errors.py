"""The errors of ``synapse_ext``, rooted at :class:`SynapseError`.

Every :class:`ClientError` carries ``status_code`` (``None`` when no HTTP status was
received) and ``detail`` (the JSON body, else the text or reason phrase);
``str(e) == f"{status_code}: {detail}"``, except for v2 error envelopes, shown as
``"<status>: CODE: message (field: message; ...)"`` (``error_code`` holds the code).

Every error the library raises derives from :class:`SynapseError` (invalid arguments raise
plain ``ValueError``/``TypeError``); builtin bases in parentheses are kept for ``except``.
Hierarchy::

    SynapseError
    ├── SourceError (ValueError)         a source that cannot be used as given
    │   └── SourceUnreachableError       its store could not be reached
    ├── FileChangedError (OSError)       a file's content changed during its upload
    ├── EmptyFileError (ValueError)      empty files are never uploaded
    ├── SeedCompatError (ValueError)     a documentation shape with no unambiguous translation
    ├── DaskAddressError (ValueError)    a --dask value that is no address nor local:N
    ├── MissingDaskError (ImportError)   ``distributed`` is not installed
    ├── CliError                         ends a ``synapse-dc`` command (.code, .message)
    └── ClientError
        ├── AuthenticationError      401
        ├── AuthorizationError       403
        ├── NotFoundError            404
        ├── ValidationError          400, 422 (keeps the code)
        ├── RateLimitError           429 (.retry_after)
        ├── ServerError              5xx
        ├── UnexpectedStatusError    any other status >= 400 (405, 410, 413, ...)
        ├── ProtocolError            unparseable body, non-standard status, unknown enum value,
        │   │                        a page token or next URL that came back twice
        │   └── UploadPlanError (ValueError)  a presigned plan that does not fit the file
        ├── NoResponseError          no HTTP response was received
        │   ├── RequestNotSentError  the request never reached the server: safe to resend
        │   └── ResponseLostError    the request may have been applied: ask the server
        ├── DataFileUnconfirmedError the server holds the file; the new data file's id is unknown
        ├── FinalizeRejectedError    the server refused to finalize an uploaded file
        └── StorageError             object storage refused a presigned request (.code: S3's, or
            └── PresignedUrlExpiredError    None from a proxy); 403 "Request has expired"

"Not sent" and "maybe applied" are siblings: catching ``RequestNotSentError`` to resend never
resends a request that may have been applied.

Tokens never appear in these messages: details come from response bodies only. ``str()`` and
``repr()`` of every error go through one redaction (``synapse_ext._redact``): credential
parameters of URLs (presigned signatures) are masked, whatever a body or a cause echoed.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from ._redact import redact as _redact
from ._root_error import SynapseError

__all__ = [
    "MAYBE_APPLIED",
    "AuthenticationError",
    "AuthorizationError",
    "ClientError",
    "DataFileUnconfirmedError",
    "FinalizeRejectedError",
    "NoResponseError",
    "NotFoundError",
    "PresignedUrlExpiredError",
    "ProtocolError",
    "RateLimitError",
    "RequestNotSentError",
    "ResponseLostError",
    "ServerError",
    "StorageError",
    "SynapseError",
    "UnexpectedStatusError",
    "UploadPlanError",
    "ValidationError",
    "error_from_response",
    "parse_retry_after",
]


class ClientError(SynapseError):
    """Base error: ``status_code`` (or ``None``), ``detail`` and the raw ``response`` if any."""

    def __init__(
        self, status_code: int | None, detail: object, response: httpx.Response | None = None
    ) -> None:
        self.status_code = status_code
        self.detail: Any = detail
        self.response = response
        super().__init__(status_code, detail)

    def __str__(self) -> str:
        summary = _v2_summary(self.detail)
        return _redact(f"{self.status_code}: {summary if summary is not None else self.detail}")

    @property
    def error_code(self) -> str | None:
        """The v2 error envelope's ``error.code`` (e.g. ``VALIDATION_ERROR``), else ``None``."""
        error = _v2_error(self.detail)
        code = error.get("code") if error is not None else None
        return code if isinstance(code, str) else None

    def __repr__(self) -> str:
        return _redact(f"{type(self).__name__}({self.status_code!r}, {self.detail!r})")


class AuthenticationError(ClientError):
    """401: the token is missing or invalid."""


class AuthorizationError(ClientError):
    """403: the caller may not do this."""


class NotFoundError(ClientError):
    """404: no such object (or a page past the last one)."""


class ValidationError(ClientError):
    """400 or 422: the request was rejected; ``status_code`` keeps which."""


class RateLimitError(ClientError):
    """429: slow down; ``retry_after`` holds the server's hint in seconds, if any."""

    def __init__(
        self,
        status_code: int | None,
        detail: object,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status_code, detail, response)
        self.retry_after = retry_after


class ServerError(ClientError):
    """5xx: the server failed."""


class UnexpectedStatusError(ClientError):
    """Any other status >= 400 (e.g. 405, 410, 413)."""


class ProtocolError(ClientError):
    """The response could not be understood (non-JSON body, odd status, unknown enum)."""


class UploadPlanError(ProtocolError, ValueError):
    """The server's presigned plan does not fit the file (parts not numbered 1..N, parts
    that do not hold its size, neither a URL nor parts): nothing was sent. Also a
    ``ValueError``, as it was before it had a class of its own."""

    def __init__(self, detail: object) -> None:
        super().__init__(None, detail)


class NoResponseError(ClientError):
    """No HTTP response was received; the subclass says whether the request was applied."""

    def __init__(self, detail: object, response: httpx.Response | None = None) -> None:
        super().__init__(None, detail, response)


class RequestNotSentError(NoResponseError):
    """The request never reached the server (connection refused, pool or connect timeout):
    it was not applied, so sending it again is safe."""


class ResponseLostError(NoResponseError):
    """The request may have reached the server and been applied; its response was lost.

    Never resend blindly: ask the server what it holds (offsets, checksums, listings).
    """

    def __init__(self, detail: object = None, response: httpx.Response | None = None) -> None:
        message = "response lost: the server may have applied this"
        super().__init__(f"{message} ({detail})" if detail else message, response)


class DataFileUnconfirmedError(ClientError):
    """A data-file upload's response was lost, and the server already holds that content.

    The file is stored (``checksum`` is known to the server) and is never sent again; only the
    new data file's id is unknown. Bind it to data units by ``checksum``.
    """

    def __init__(self, path_name: str, checksum: str) -> None:
        super().__init__(
            None,
            f"{path_name} is stored on the server (checksum {checksum}) "
            "but its data-file id is unknown",
        )
        self.checksum = checksum


class StorageError(ClientError):
    """Object storage answered a presigned request with an error status.

    ``code`` is the storage's error ``Code`` (S3 XML), or ``None`` when the answer carries
    none (a proxy or CDN in front of the storage). ``detail`` is only ``Code: Message``: storage
    error bodies can echo request signatures, so nothing else of them is kept.
    """

    def __init__(
        self,
        status_code: int,
        code: str | None,
        message: str,
        response: httpx.Response | None = None,
    ) -> None:
        message = _redact(message)
        detail = f"{code}: {message}" if code else message
        super().__init__(status_code, detail, response)
        self.code = code
        self.storage_message = message


class FinalizeRejectedError(ClientError):
    """The server refused to finalize an uploaded file (``error`` says why: a size or
    checksum mismatch, a missing object, ...); nothing was created for it."""

    def __init__(self, file_key: str, error: str) -> None:
        super().__init__(None, f"{file_key}: {error}")
        self.file_key = file_key
        self.error = error


class PresignedUrlExpiredError(StorageError):
    """The presigned URL expired before the request (403 ``AccessDenied``, "expired"):
    new URLs must be requested."""


MAYBE_APPLIED = frozenset({500, 502, 504})
"""5xx statuses that can follow a backend commit (a proxy timing out, a crash mid-answer)."""


_MAX_DETAILS = 5
_MAX_TEXT = 200


def _v2_error(detail: object) -> dict[str, Any] | None:
    """The ``error`` object of a v2 error envelope ``{"error": {...}, "meta": {...}}``."""
    if isinstance(detail, dict) and isinstance(detail.get("error"), dict):
        error: dict[str, Any] = detail["error"]
        if "code" in error or "message" in error:
            return error
    return None


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _v2_summary(detail: object) -> str | None:
    """One line for a v2 error envelope: ``CODE: message (field: message; ...)``, else None.

    Shows at most five field details, each message cut to 200 characters: never a long body.
    """
    error = _v2_error(detail)
    if error is None:
        return None
    text = f"{_short(error.get('code', 'ERROR'))}: {_short(error.get('message', ''))}"
    details = error.get("details")
    if isinstance(details, list) and details:
        shown = [
            f"{_short(d.get('field', '?'))}: {_short(d.get('message', ''))}"
            if isinstance(d, dict)
            else _short(d)
            for d in details[:_MAX_DETAILS]
        ]
        more = len(details) - _MAX_DETAILS
        text += f" ({'; '.join(shown)}{f'; and {more} more' if more > 0 else ''})"
    return text if len(text) <= 4 * _MAX_TEXT else text[: 4 * _MAX_TEXT - 3] + "..."


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or ``None``."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _detail(response: httpx.Response) -> Any:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return response.reason_phrase
    if content:
        try:
            return json.loads(content)
        except ValueError:
            text = content.decode("utf-8", errors="replace").strip()
            if text:
                return text[:500]
    return response.reason_phrase or "no reason"


def error_from_response(response: httpx.Response) -> ClientError:
    """Build the typed error for an HTTP response whose status is >= 400."""
    code = response.status_code
    detail = _detail(response)
    if code == 401:
        return AuthenticationError(code, detail, response)
    if code == 403:
        return AuthorizationError(code, detail, response)
    if code == 404:
        return NotFoundError(code, detail, response)
    if code in (400, 422):
        return ValidationError(code, detail, response)
    if code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitError(code, detail, response, retry_after=retry_after)
    if 500 <= code <= 599:
        return ServerError(code, detail, response)
    return UnexpectedStatusError(code, detail, response)
