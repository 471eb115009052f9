"""Configuration shared by the sync and async typed clients (no I/O here)."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
from synapse_client.models import ChunkedUpload

from .progress import ProgressEvent, ProgressReporter, as_reporter
from .retry import DEFAULT_RETRY, RetryPolicy

__all__ = ["DEFAULT_TIMEOUT", "ClientBase", "UploadHook", "batched"]

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
"""Short default: 5 s to connect, 15 s to read. Uploads get ``upload_timeout`` per call."""
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}

ProgressArg = ProgressReporter | Callable[[ProgressEvent], None] | None
UploadHook = Callable[[ChunkedUpload], Any]
"""Called with a new chunked upload once the server created it (may return an awaitable
in the async client)."""


def batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive lists of at most ``size`` items."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def auth_headers(token: str | None, tenant: str | None, legacy_token: str | None) -> dict[str, str]:
    """The Synapse auth headers; each is sent only when configured."""
    headers: dict[str, str] = {}
    if token:
        headers["Synapse-Access-Token"] = f"Token {token}"
    if legacy_token:
        headers["Authorization"] = f"Token {legacy_token}"
    if tenant:
        headers["Synapse-Tenant"] = f"Token {tenant}"
    return headers


def warn_if_plain_http(base_url: str) -> None:
    """Warn when credentials would travel over plain HTTP to a non-loopback host."""
    url = httpx.URL(base_url)
    if url.scheme == "http" and url.host not in _LOOPBACK:
        warnings.warn(
            f"plain-HTTP base URL {url.scheme}://{url.host}: tokens are sent unencrypted",
            UserWarning,
            stacklevel=4,
        )


class ClientBase:
    """Settings and pure helpers common to ``SynapseClient`` and ``AsyncSynapseClient``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        tenant: str | None = None,
        legacy_token: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        upload_timeout: float = 300.0,
        max_connections: int = 10,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        progress: ProgressArg = None,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        warn_if_plain_http(base_url)
        self.base_url = base_url.rstrip("/")
        self._has_token = bool(token or legacy_token)
        self._tenant = tenant
        self._headers = auth_headers(token, tenant, legacy_token)
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.upload_timeout = upload_timeout
        self.max_connections = max_connections
        self.retry = retry
        self.progress = as_reporter(progress)
        self._uniform = uniform

    @property
    def _engine_policy(self) -> RetryPolicy:
        return self.retry or RetryPolicy(max_attempts=1)

    def _limits(self) -> httpx.Limits:
        return httpx.Limits(
            max_connections=self.max_connections, max_keepalive_connections=self.max_connections
        )

    def _reporter(self, on_progress: ProgressArg) -> ProgressReporter:
        return self.progress if on_progress is None else as_reporter(on_progress)

    def _httpx_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url + "/",
            "headers": self._headers,
            "timeout": self._timeout,
            "follow_redirects": False,
        }

    def __repr__(self) -> str:
        token = "'***'" if self._has_token else "None"
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, token={token}, "
            f"tenant={self._tenant!r})"
        )
