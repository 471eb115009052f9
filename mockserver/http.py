"""Framework-neutral request and response objects shared by both transports."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

__all__ = ["JSON_CONTENT_TYPE", "MockRequest", "MockResponse", "UploadedFile"]

JSON_CONTENT_TYPE = "application/json"


@dataclass
class UploadedFile:
    """One multipart file part, spooled to a generated name in the storage folder."""

    field_name: str
    filename: str | None
    path: Path
    size: int
    md5: str
    """MD5 of the part ("" for chunk parts: the upload hashes its segments itself)."""
    consumed: bool = False

    def take(self) -> Path:
        """Take ownership of the spooled file (it will no longer be discarded)."""
        self.consumed = True
        return self.path

    def discard(self) -> None:
        """Remove the spooled content if nobody took ownership of it."""
        if not self.consumed:
            self.path.unlink(missing_ok=True)


@dataclass
class MockRequest:
    """An HTTP request as the handlers see it, whatever the transport."""

    method: str
    scheme: str
    host: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    multipart_error: str | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    tenant: str | None = None
    operation_id: str | None = None
    base_path: str = ""
    received_bytes: int = 0
    """Body bytes the transport received (counted while streaming, whatever the body)."""
    arrived: float | None = None
    """When the transport began to receive the request, on the dispatcher's ``timer`` (the
    call log's ``duration_ms`` counts from it, so a body's transfer is part of it)."""
    origin: Literal["api", "storage"] = "api"
    """Which of the fake's origins the request was sent to (set by the transport): the API,
    or the object storage (presigned PUT/GET URLs; see :mod:`mockserver.storage`)."""
    raw_body: UploadedFile | None = None
    """The raw body spooled to disk, MD5 computed while it streamed in (storage PUTs only:
    ``Dispatcher.body_mode``); ``body`` is then empty. A handler takes it with ``take()``."""

    def __post_init__(self) -> None:
        self.headers = {k.lower(): v for k, v in self.headers.items()}

    @property
    def base_url(self) -> str:
        """Scheme, host and base path of the fake as the client addressed it."""
        return f"{self.scheme}://{self.host}{self.base_path}"

    @property
    def url(self) -> str:
        query = f"?{self.query_string}" if self.query_string else ""
        return f"{self.scheme}://{self.host}{self.path}{query}"

    @property
    def query_items(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def query_get(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        values = [v for k, v in self.query_items if k == name]
        return values[-1] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").lower()

    @property
    def is_multipart(self) -> bool:
        return self.content_type.startswith("multipart/form-data")

    @property
    def is_json(self) -> bool:
        ctype = self.content_type.split(";")[0].strip()
        return ctype == JSON_CONTENT_TYPE or ctype.endswith("+json")

    def json(self) -> Any:
        """Parse the body as JSON; raises ValueError with a readable message."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"JSON parse error - {exc}") from exc

    def cleanup(self) -> None:
        """Delete spooled parts that no handler moved into storage."""
        for part in self.files.values():
            part.discard()
        if self.raw_body is not None:
            self.raw_body.discard()


@dataclass
class MockResponse:
    """A response: JSON (`body`), raw bytes (`raw`) or files streamed from disk, in order."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    file_paths: Sequence[Path] | None = None
    file_size: int = 0
    content_type: str | None = JSON_CONTENT_TYPE
    """None: no Content-Type header (injected answers only)."""
    head: bool = False
    """An answer to HEAD: the headers (``Content-Length`` = ``file_size``) and no body."""

    @classmethod
    def json_response(
        cls, status: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> MockResponse:
        return cls(status=status, body=body, headers=dict(headers or {}))

    def content(self) -> bytes:
        """The whole body in memory (fine for JSON; files only in the respx transport)."""
        if self.head:
            return b""
        if self.file_paths is not None:
            return b"".join(path.read_bytes() for path in self.file_paths)
        if self.raw is not None:
            return self.raw
        if self.body is None and self.status == 204:
            return b""
        return json.dumps(self.body).encode("utf-8")

    def iter_file(self, block_size: int = 1 << 20) -> Iterator[bytes]:
        """Stream the file body from disk in blocks."""
        assert self.file_paths is not None
        for path in self.file_paths:
            with path.open("rb") as fh:
                while block := fh.read(block_size):
                    yield block

    def all_headers(self) -> dict[str, str]:
        headers = {"content-type": self.content_type} if self.content_type is not None else {}
        headers.update({k.lower(): v for k, v in self.headers.items()})
        return headers
