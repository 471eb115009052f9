"""Presigned storage PUTs through urllib3: the lean data plane of the synchronous client.

httpx costs about 0.15 ms of client CPU per request over urllib3 (its model layer, the h11
events of a streamed body); a storage PUT needs none of it: no auth, no redirects, no cookies,
one body streamed from a file. :class:`StoragePool` sends a :class:`~.storage.StoragePut` with
a urllib3 pool per storage origin and answers with an ``httpx.Response`` (status, headers,
body), so ``unwrap``, ``storage_error`` and ``etag_of`` read it exactly as before.

Guarantees kept from the httpx path: the body is the same :class:`~.storage.FileSlice`
(streamed block by block, hashed as it goes); connect, read, write and pool timeouts are the
client's (the per-call upload timeout for read and write); no retries, no redirects, no
environment proxies; only the PUT's own headers are sent. A failure before the request line
left is :class:`~synapse_ext.errors.RequestNotSentError`, any later one
:class:`~synapse_ext.errors.ResponseLostError`; a local read error (the file changed or
vanished) is raised as itself, as httpx does.

The client uses it only when httpx itself would go to the network (:func:`httpx_is_patched`
is false and the client built its own transport): in-process fakes and mocks (respx, a
``transport=``) intercept httpx, so their storage PUTs keep going through it.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from typing import Any

import attrs
import httpcore
import httpx
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    EmptyPoolError,
    HTTPError,
    LocationValueError,
    ProxySchemeUnknown,
    URLSchemeUnknown,
)

from ..errors import ClientError, RequestNotSentError, ResponseLostError
from .storage import FileSlice, StoragePut

__all__ = ["StoragePool", "httpx_is_patched"]

_NOT_SENT = (EmptyPoolError, LocationValueError, URLSchemeUnknown, ProxySchemeUnknown)
"""Raised before any connection is used: the request certainly did not leave."""
_SIGNED = re.compile(r"\?[^\s'\")]*")
_HOMES = (
    (httpx.HTTPTransport, "handle_request", "httpx."),
    (httpcore.ConnectionPool, "handle_request", "httpcore."),
    (httpcore.HTTPConnection, "handle_request", "httpcore."),
)


def httpx_is_patched() -> bool:
    """True while a mocking library (respx, pytest-httpx) has replaced httpx's network
    transport: then requests must go through httpx to reach the mock."""
    for owner, name, home in _HOMES:
        module = getattr(getattr(owner, name, None), "__module__", None) or ""
        if not module.startswith(home):
            return True
    return False


@attrs.define
class _Sending:
    """One PUT in flight: its write timeout, whether its request line left, a local error."""

    write_timeout: float | None
    started: bool = False
    local_error: OSError | None = None


_sending: contextvars.ContextVar[_Sending | None] = contextvars.ContextVar(
    "synapse_ext_storage_put", default=None
)


class _WriteTimeoutMixin:
    """Connects under the connect timeout, then sends the request under the write timeout
    (urllib3 alone sends it under the connect timeout) and records that it started."""

    sock: Any
    timeout: Any

    def request(
        self, method: str, url: str, body: Any = None, headers: Any = None, **kw: Any
    ) -> None:
        state = _sending.get()
        if self.sock is None:
            self.connect()  # type: ignore[attr-defined]
        if state is not None:
            self.timeout = state.write_timeout
            state.started = True
        super().request(method, url, body=body, headers=headers, **kw)  # type: ignore[misc]


class _Connection(_WriteTimeoutMixin, HTTPConnection):
    pass


class _TLSConnection(_WriteTimeoutMixin, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


def _body(put: StoragePut, state: _Sending) -> Iterator[bytes]:
    """The file slice, block by block; a local read error is kept to be raised as itself."""
    try:
        yield from FileSlice(put.path, put.start, put.length, put.digest)
    except OSError as exc:
        state.local_error = exc
        raise


class StoragePool:
    """urllib3 pools (one per storage origin, ``max_connections`` each, blocking when full)
    for the synchronous client's presigned storage PUTs."""

    def __init__(self, timeout: httpx.Timeout, max_connections: int) -> None:
        self._timeout = timeout
        self._manager = urllib3.PoolManager(
            num_pools=8,
            maxsize=max_connections,
            block=True,
            ssl_context=httpx.create_ssl_context(),  # the CAs httpx verifies against
        )
        self._manager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}

    def put(self, put: StoragePut, per_call: float | None) -> httpx.Response:
        """Send ``put`` once; its answer (any status), or a ``ClientError`` raised."""
        headers = {"Content-Length": str(put.length)}
        if put.content_type:
            headers["Content-Type"] = put.content_type
        limits = self._timeout
        state = _Sending(per_call if per_call is not None else limits.write)
        read = per_call if per_call is not None else limits.read
        token = _sending.set(state)
        try:
            answer = self._manager.urlopen(
                "PUT",
                put.url,
                body=_body(put, state),
                headers=headers,
                retries=False,
                redirect=False,
                timeout=urllib3.Timeout(connect=limits.connect, read=read),
                pool_timeout=limits.pool,
                preload_content=True,
            )
        except HTTPError as exc:
            if state.local_error is not None:
                raise state.local_error from None
            raise _transport_error(exc, state.started) from None
        finally:
            _sending.reset(token)
        return httpx.Response(
            answer.status,
            headers=list(answer.headers.items()),
            content=answer.data,
            request=httpx.Request("PUT", put.url),
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._manager.clear()


def _transport_error(exc: HTTPError, started: bool) -> ClientError:
    """ "Not sent" while the request line had not left, "maybe applied" after."""
    detail = _SIGNED.sub("?…", f"{type(exc).__name__}: {exc}")  # never a URL's signature
    if not started or isinstance(exc, _NOT_SENT):
        return RequestNotSentError(detail)
    return ResponseLostError(detail)
