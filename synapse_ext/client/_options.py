"""Settings of the typed clients: timeouts, pool size, httpx options (no I/O here)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TypeAlias, TypedDict, TypeVar

import httpx
from synapse_client.models import ChunkedUpload

from ..policy import RetryPolicy, Uniform
from ..progress import ProgressEvent, ProgressReporter

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_TIMEOUT",
    "ProgressArg",
    "SyncOptions",
    "TimeoutArg",
    "TransportT",
    "UploadHook",
    "as_timeout",
    "httpx_options",
    "pool_limits",
    "warn_if_plain_http",
]

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
"""Short default: 5 s to connect, 15 s to read. Uploads get ``upload_timeout`` per call."""
DEFAULT_MAX_CONNECTIONS = 48
"""The clients' default connection pool; it also caps the ingestion's default concurrency
ceiling (more in flight than the pool only queues in it)."""
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}

TimeoutArg: TypeAlias = httpx.Timeout | float
"""An ``httpx.Timeout`` or seconds for every phase."""
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)
ProgressArg = ProgressReporter | Callable[[ProgressEvent], None] | None
UploadHook = Callable[[ChunkedUpload], object]
"""Called with a new chunked upload once the server created it, before any further chunk is
sent (the async client runs it in a worker thread, or awaits it if it is a coroutine function)."""


def as_timeout(timeout: TimeoutArg) -> httpx.Timeout:
    """``timeout`` as an ``httpx.Timeout``."""
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def pool_limits(max_connections: int) -> httpx.Limits:
    """A pool of ``max_connections``, all of them kept alive."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def httpx_options(base_url: str, auth: httpx.Auth, timeout: httpx.Timeout) -> dict[str, object]:
    """Options of the client's httpx client (redirects are never followed: tokens stay here).

    Credentials are not default headers: ``auth`` adds them per request, on the API's origin
    only (see :class:`~synapse_ext.client._auth.SynapseAuth`).
    """
    return {
        "base_url": base_url + "/",
        "auth": auth,
        "timeout": timeout,
        "follow_redirects": False,
    }


def warn_if_plain_http(base_url: str) -> None:
    """Warn when credentials would travel over plain HTTP to a non-loopback host."""
    url = httpx.URL(base_url)
    if url.scheme == "http" and url.host not in _LOOPBACK:
        warnings.warn(
            f"plain-HTTP base URL {url.scheme}://{url.host}: tokens are sent unencrypted",
            UserWarning,
            stacklevel=3,  # the caller of SynapseClient(...) / AsyncSynapseClient(...)
        )


class SyncOptions(TypedDict, total=False):
    """Keyword options of :class:`~synapse_ext.SynapseClient` (defaults as documented there),
    for wrappers that pass them on, such as :class:`~synapse_ext.BackendClient`."""

    tenant: str | None
    legacy_token: str | None
    timeout: httpx.Timeout | float
    upload_timeout: float
    max_connections: int
    retry: RetryPolicy | None
    transport: httpx.BaseTransport | None
    progress: ProgressArg
    sleep: Callable[[float], None] | None
    uniform: Uniform
