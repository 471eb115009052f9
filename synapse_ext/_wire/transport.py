"""Transport wrappers: remember the last raw response and apply per-call timeouts.

The generated ``*_detailed`` functions lose the raw response when their parsing fails
(non-JSON bodies, non-standard status codes, unknown enum values); recording it here lets
``unwrap`` still build a typed error from the status, headers and body.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import attrs
import httpx

__all__ = ["Recorder", "RecordingTransport", "recording"]


@attrs.define
class Recorder:
    """Mutable box for one call: the last raw response and an optional read timeout."""

    response: httpx.Response | None = None
    read_timeout: float | None = None


_current: ContextVar[Recorder | None] = ContextVar("synapse_ext_recorder", default=None)


@contextlib.contextmanager
def recording(read_timeout: float | None = None) -> Iterator[Recorder]:
    """Record the raw response of the calls made inside the block."""
    box = Recorder(read_timeout=read_timeout)
    token = _current.set(box)
    try:
        yield box
    finally:
        _current.reset(token)


def _before(request: httpx.Request) -> Recorder | None:
    box = _current.get()
    if box is not None and box.read_timeout is not None:
        # The generated functions cannot take a per-call timeout; httpcore reads it from here.
        timeout = dict(request.extensions.get("timeout", {}))
        timeout["read"] = box.read_timeout
        timeout["write"] = box.read_timeout
        request.extensions["timeout"] = timeout
    return box


def _after(box: Recorder | None, response: httpx.Response) -> httpx.Response:
    if box is not None:
        box.response = response
    return response


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Transport wrapper (either world) that records responses in the current ``Recorder``."""

    def __init__(self, inner: httpx.BaseTransport | httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        box = _before(request)
        assert isinstance(self._inner, httpx.BaseTransport)
        return _after(box, self._inner.handle_request(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        box = _before(request)
        assert isinstance(self._inner, httpx.AsyncBaseTransport)
        return _after(box, await self._inner.handle_async_request(request))

    def close(self) -> None:
        if isinstance(self._inner, httpx.BaseTransport):
            self._inner.close()

    async def aclose(self) -> None:
        if isinstance(self._inner, httpx.AsyncBaseTransport):
            await self._inner.aclose()
