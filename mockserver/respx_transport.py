"""In-process transport: httpx talks to the dispatcher without a socket.

Two ways in, one function answering (:func:`answer`): ``respx.mock`` patching (any httpx client
sending to the base URL; a respx router with one named route per operationId, which reads
the whole body first and keeps every call in its own log) and :class:`FakeTransport` for
explicit injection (``httpx.Client(transport=handle.transport)``), which parses the body while
the client produces it (file parts go straight to the spool folder: a large upload is never
held in memory) and keeps nothing: the dispatcher's call log is the record of both.

Both also serve the storage origin (``storage_url``, default
``https://storage.synapse-mock.test``): a request is the storage's when its scheme and host
are that origin's (``MockRequest.origin``); storage PUT bodies are spooled to a file as they
are read (``Dispatcher.body_mode``).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
import respx

from mockserver.control import CONTROL_ROUTES
from mockserver.dispatch import Dispatcher
from mockserver.http import MockRequest, MockResponse
from mockserver.multipart import BodySpooler, MultipartCollector, MultipartError
from mockserver.routes import ROUTES
from mockserver.storage import DEFAULT_STORAGE_URL

__all__ = ["FakeTransport", "answer", "build_router", "to_mock_request"]

_FEED_BLOCK = 1 << 20


class _BodyReader:
    """Builds the neutral request from an httpx request, fed its body piece by piece."""

    def __init__(
        self,
        request: httpx.Request,
        dispatcher: Dispatcher,
        storage_origin: tuple[str, str] | None = None,
    ) -> None:
        url = request.url
        host = url.netloc.decode("ascii")
        self.request = MockRequest(
            method=request.method,
            scheme=url.scheme,
            host=host,
            path=url.path,
            query_string=url.query.decode("ascii"),
            headers=dict(request.headers.items()),
            origin="storage" if (url.scheme, host) == storage_origin else "api",
            arrived=dispatcher.timer(),
        )
        self._body = bytearray()
        self._collector: MultipartCollector | None = None
        self._spooler: BodySpooler | None = None
        mode = dispatcher.body_mode(self.request.origin, request.method, url.path)
        if mode == "spool":
            self._spooler = BodySpooler(dispatcher.backend.spool_dir)
        elif self.request.is_multipart:
            try:
                self._collector = MultipartCollector(
                    self.request.content_type,
                    dispatcher.backend.spool_dir,
                    hash_files=dispatcher.hash_parts(request.method, url.path),
                )
            except MultipartError as exc:
                self.request.multipart_error = str(exc)

    def feed(self, piece: bytes) -> None:
        self.request.received_bytes += len(piece)
        if self._spooler is not None:
            self._spooler.feed(piece)
        elif self._collector is not None:
            for start in range(0, len(piece), _FEED_BLOCK):
                self._collector.feed(piece[start : start + _FEED_BLOCK])
        elif not self.request.is_multipart:
            self._body += piece

    def finish(self) -> MockRequest:
        if self._spooler is not None:
            self.request.raw_body = self._spooler.finish()
        if self._collector is not None:
            try:
                self.request.form, self.request.files = self._collector.finish()
            except MultipartError as exc:
                self.request.multipart_error = str(exc)
        self.request.body = bytes(self._body)
        return self.request


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _host_lookups(url: str) -> dict[str, Any]:
    """respx lookups matching the origin of ``url`` (scheme, host, port if given)."""
    parts = urlsplit(url)
    lookups: dict[str, Any] = {"scheme": parts.scheme, "host": parts.hostname or ""}
    if parts.port is not None:
        lookups["port"] = parts.port
    return lookups


def to_mock_request(
    request: httpx.Request, dispatcher: Dispatcher, storage_url: str = DEFAULT_STORAGE_URL
) -> MockRequest:
    """Convert an httpx request whose body was read into the neutral request."""
    reader = _BodyReader(request, dispatcher, _origin(storage_url))
    reader.feed(request.content)
    return reader.finish()


def _to_httpx(response: MockResponse, request: httpx.Request) -> httpx.Response:
    headers = response.all_headers()
    if response.head:  # HEAD: the object's length, no body
        headers["content-length"] = str(response.file_size)
    return httpx.Response(
        response.status,
        headers=headers,
        content=response.content(),
        request=request,
    )


def answer(
    dispatcher: Dispatcher,
    parsed: MockRequest,
    request: httpx.Request,
    sleep: Callable[[float], None],
) -> httpx.Response:
    """Dispatch ``parsed`` and perform the outcome for httpx (sleep, raise, or respond)."""
    try:
        outcome = dispatcher.dispatch(parsed)
    finally:
        parsed.cleanup()
    if outcome.action == "refuse":
        raise httpx.ConnectError(
            "Connection refused (injected: the request was not sent).", request=request
        )
    if outcome.delay_s:
        sleep(outcome.delay_s)
    if outcome.action == "drop":
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response (injected drop).", request=request
        )
    if outcome.action == "lose_response":
        raise httpx.ReadError(
            "Response lost after the server committed it (injected).", request=request
        )
    assert outcome.response is not None
    return _to_httpx(outcome.response, request)


def build_router(
    dispatcher: Dispatcher,
    base_url: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    storage_url: str = DEFAULT_STORAGE_URL,
) -> respx.MockRouter:
    """A patching respx router (``respx.mock``) serving the route tables under ``base_url``
    and the object storage at ``storage_url`` (routes ``storageGetObject``,
    ``storageHeadObject``, ``storagePut`` for both PUT operations, ``storageUnknown``).

    When the object storage is a remote endpoint (``storage_endpoint``), requests to it pass
    through to the network.
    """

    def side_effect(request: httpx.Request, **_: Any) -> httpx.Response:
        parsed = to_mock_request(request, dispatcher, storage_url)
        return answer(dispatcher, parsed, request, sleep)

    base = base_url.rstrip("/")
    router = respx.mock(base_url=base, assert_all_called=False, assert_all_mocked=True)
    base_path = urlsplit(base).path.rstrip("/")
    for route in ROUTES:
        pattern = route.pattern.pattern.lstrip("^").rstrip("$")
        router.route(
            method=route.method, path__regex=f"^{base_path}{pattern}$", name=route.operation_id
        ).mock(side_effect=side_effect)
    for control in CONTROL_ROUTES:
        router.route(
            method=control.method,
            path__regex=f"^{re.escape(base_path + control.path)}$",
            name=control.operation_id,
        ).mock(side_effect=side_effect)
    # The storage origin: absolute (host) patterns, so the base URL is not merged in.
    endpoint = dispatcher.backend.object_store.endpoint_url
    if _origin(endpoint) == _origin(storage_url):
        origin = _host_lookups(storage_url)
        for method, name in (
            ("GET", "storageGetObject"),
            ("HEAD", "storageHeadObject"),
            ("PUT", "storagePut"),
        ):
            router.route(method=method, name=name, **origin).mock(side_effect=side_effect)
        router.route(name="storageUnknown", **origin).mock(side_effect=side_effect)
    else:  # a remote store: its presigned URLs go to the real endpoint
        router.route(**_host_lookups(endpoint)).pass_through()
    router.route(name="unknown").mock(side_effect=side_effect)
    return router


class FakeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport (sync and async) onto the dispatcher, streaming request bodies."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        sleep: Callable[[float], None],
        storage_url: str = DEFAULT_STORAGE_URL,
    ) -> None:
        self._dispatcher = dispatcher
        self._sleep = sleep
        self._storage_origin = _origin(storage_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reader = _BodyReader(request, self._dispatcher, self._storage_origin)
        for piece in cast(Iterable[bytes], request.stream):
            reader.feed(piece)
        return answer(self._dispatcher, reader.finish(), request, self._sleep)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        reader = _BodyReader(request, self._dispatcher, self._storage_origin)
        async for piece in cast(AsyncIterable[bytes], request.stream):
            reader.feed(piece)
        return answer(self._dispatcher, reader.finish(), request, self._sleep)
