"""Contract checking: the fake's traffic against openapi.yaml, with openapi-core.

JSON bodies, parameters and security are validated by openapi-core. Multipart bodies are
checked structurally (every required part present; binary parts sent as files, text parts as
fields) because the content can be large and binary. The spec is found at
``$SYNAPSE_OPENAPI_SPEC``, else ``mockserver/openapi.yaml``, else ``openapi.yaml`` beside the
package (the repository root). openapi-core, werkzeug and PyYAML (the ``mock`` extra) are
imported where they are used, so importing this module needs none of them; a validator
checks for them when it is created.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from mockserver.extras import check_extra
from mockserver.http import MockRequest, MockResponse

__all__ = ["ContractValidator", "ContractViolation", "Violation", "find_spec"]

SPEC_ENV = "SYNAPSE_OPENAPI_SPEC"
_NEEDS = ("yaml", "openapi_core", "werkzeug")


def find_spec(path: str | Path | None = None) -> Path:
    """Locate openapi.yaml (explicit path, env override, packaged copy, repository root)."""
    here = Path(__file__).resolve().parent
    candidates = [
        path,
        os.environ.get(SPEC_ENV),
        here / "openapi.yaml",
        here.parent / "openapi.yaml",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError(
        f"openapi.yaml not found; set {SPEC_ENV} or pass spec_path (looked beside {here})"
    )


@dataclass(frozen=True)
class Violation:
    """One contract violation: which operation, which side, and why."""

    operation_id: str
    side: str  # "request" or "response"
    message: str
    status: int | None = None

    def __str__(self) -> str:
        status = f" (status {self.status})" if self.status is not None else ""
        return f"{self.operation_id}: {self.side}{status} violates openapi.yaml: {self.message}"


class ContractViolation(AssertionError):
    """Raised when traffic does not match openapi.yaml."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(str(v) for v in violations))
        self.violations = violations


def _describe(error: BaseException) -> list[str]:
    """Flatten an openapi-core error chain into 'what: field `x`: reason' strings."""
    messages: list[str] = []
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for schema_error in getattr(current, "schema_errors", None) or ():
            location = "/".join(str(p) for p in schema_error.absolute_path) or "<root>"
            messages.append(f"field `{location}`: {schema_error.message}")
        text = str(current).split(": Value ", 1)[0]
        if text and text not in texts:
            texts.append(text)
        current = current.__cause__ or current.__context__
    head = texts[0] if texts else type(error).__name__
    return [f"{head}: {m}" for m in messages] or [": ".join(texts) or head]


class _Request:
    def __init__(self, request: MockRequest, body: bytes | None) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = f"{request.scheme}://{request.host}"
        self.path = request.path[len(request.base_path) :] or "/"
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(request.query_string, keep_blank_values=True)),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = request.content_type
        self.body = body


class _Response:
    def __init__(self, response: MockResponse) -> None:
        from werkzeug.datastructures import Headers

        self.status_code = response.status
        self.content_type = response.content_type
        self.headers = Headers(list(response.all_headers().items()))
        self.data = response.content()


class ContractValidator:
    """Validates requests and responses of documented operations against the spec."""

    def __init__(self, spec_path: str | Path | None = None) -> None:
        # Fail here, naming the extra, rather than on the first request checked.
        for module in _NEEDS:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                check_extra("contract validation (validate=True)", exc)
                raise
        self.spec_path = find_spec(spec_path)
        self._lock = threading.Lock()

    @property
    def _openapi(self) -> Any:
        return _load_openapi(str(self.spec_path))

    @cached_property
    def _spec_dict(self) -> dict[str, Any]:
        import yaml

        with self.spec_path.open(encoding="utf-8") as fh:
            data: dict[str, Any] = yaml.safe_load(fh)
        return data

    @cached_property
    def _param_validators(self) -> tuple[Any, Any]:
        from openapi_core.validation.request.validators import (
            V30RequestParametersValidator,
            V30RequestSecurityValidator,
        )

        spec = self._openapi.spec
        return V30RequestParametersValidator(spec), V30RequestSecurityValidator(spec)

    def request_violations(self, operation_id: str, request: MockRequest) -> list[Violation]:
        """Problems with a request the fake received (empty when it conforms)."""
        with self._lock:
            if request.is_multipart:
                errors: Iterable[BaseException] = self._multipart_errors(request)
                messages = [m for e in errors for m in _describe(e)]
                messages += self._multipart_structure(request)
            else:
                oa_request = _Request(request, request.body or None)
                messages = [
                    m for e in self._openapi.iter_request_errors(oa_request) for m in _describe(e)
                ]
        return [Violation(operation_id, "request", m) for m in messages]

    def response_violations(
        self, operation_id: str, request: MockRequest, response: MockResponse
    ) -> list[Violation]:
        """Problems with a response the fake sent (empty when it conforms)."""
        with self._lock:
            oa_request = _Request(request, None if request.is_multipart else request.body or None)
            errors = self._openapi.iter_response_errors(oa_request, _Response(response))
            messages = [m for e in errors for m in _describe(e)]
        return [Violation(operation_id, "response", m, response.status) for m in messages]

    def _multipart_errors(self, request: MockRequest) -> Iterator[BaseException]:
        params, security = self._param_validators
        oa_request = _Request(request, None)
        yield from params.iter_errors(oa_request)
        yield from security.iter_errors(oa_request)

    def _multipart_structure(self, request: MockRequest) -> list[str]:
        schema = self._multipart_schema(request)
        if schema is None:
            return [f"multipart/form-data is not accepted by {request.method} {request.path}"]
        problems = []
        for name in schema.get("required", []):
            if name not in request.files and name not in request.form:
                problems.append(f"field `{name}`: required multipart part is missing")
        for name, prop in schema.get("properties", {}).items():
            binary = prop.get("format") == "binary"
            if binary and name in request.form:
                problems.append(f"field `{name}`: must be a file part (with a filename)")
            if not binary and name in request.files:
                problems.append(f"field `{name}`: must be a text field, not a file")
        return problems

    def _multipart_schema(self, request: MockRequest) -> dict[str, Any] | None:
        spec = self._spec_dict
        path = request.path[len(request.base_path) :]
        for template, item in spec.get("paths", {}).items():
            if not _path_matches(template, path):
                continue
            operation = item.get(request.method.lower())
            if not operation:
                return None
            content = operation.get("requestBody", {}).get("content", {})
            media = content.get("multipart/form-data")
            if media is None:
                return None
            return _resolve(spec, media["schema"])
        return None


@functools.lru_cache(maxsize=4)
def _load_openapi(path: str) -> Any:
    """Parse the spec once per process (it is immutable and slow to build)."""
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_file_path(path, config=Config())


def _path_matches(template: str, path: str) -> bool:
    t_parts, p_parts = template.strip("/").split("/"), path.strip("/").split("/")
    if len(t_parts) != len(p_parts):
        return False
    return all(t.startswith("{") or t == p for t, p in zip(t_parts, p_parts, strict=True))


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return _resolve(spec, node)
