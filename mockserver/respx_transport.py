"""In-process transport: a respx router with one named route per operationId."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import respx

from mockserver.dispatch import Dispatcher
from mockserver.http import MockRequest, MockResponse
from mockserver.multipart import MultipartCollector, MultipartError
from mockserver.routes import ROUTES

__all__ = ["build_router", "to_mock_request"]

_FEED_BLOCK = 1 << 20


def to_mock_request(request: httpx.Request, spool_dir: Any) -> MockRequest:
    """Convert an httpx request (body already read) into the neutral request."""
    url = request.url
    mock = MockRequest(
        method=request.method,
        scheme=url.scheme,
        host=url.netloc.decode("ascii"),
        path=url.path,
        query_string=url.query.decode("ascii"),
        headers=dict(request.headers.items()),
    )
    content = request.content
    if mock.is_multipart:
        try:
            collector = MultipartCollector(mock.content_type, spool_dir)
            for start in range(0, len(content), _FEED_BLOCK):
                collector.feed(content[start : start + _FEED_BLOCK])
            mock.form, mock.files = collector.finish()
        except MultipartError as exc:
            mock.multipart_error = str(exc)
    else:
        mock.body = content
    return mock


def _to_httpx(response: MockResponse, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        response.status,
        headers=response.all_headers(),
        content=response.content(),
        request=request,
    )


def build_router(
    dispatcher: Dispatcher,
    base_url: str,
    *,
    patch: bool,
    sleep: Callable[[float], None] = time.sleep,
) -> respx.Router:
    """A respx router (patching ``respx.mock`` or plain) that serves the route table."""

    def side_effect(request: httpx.Request, **_: Any) -> httpx.Response:
        mock_request = to_mock_request(request, dispatcher.backend.spool_dir)
        try:
            outcome = dispatcher.dispatch(mock_request)
        finally:
            mock_request.cleanup()
        if outcome.delay_s:
            sleep(outcome.delay_s)
        if outcome.action == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response (injected drop).",
                request=request,
            )
        if outcome.action == "lose_response":
            raise httpx.ReadError(
                "Response lost after the server committed it (injected).", request=request
            )
        assert outcome.response is not None
        return _to_httpx(outcome.response, request)

    base = base_url.rstrip("/")
    router: respx.Router
    if patch:
        router = respx.mock(base_url=base, assert_all_called=False, assert_all_mocked=True)
    else:
        router = respx.Router(base_url=base, assert_all_called=False, assert_all_mocked=True)
    base_path = urlsplit(base).path.rstrip("/")
    for route in ROUTES:
        pattern = route.pattern.pattern.lstrip("^").rstrip("$")
        router.route(
            method=route.method, path__regex=f"^{base_path}{pattern}$", name=route.operation_id
        ).mock(side_effect=side_effect)
    router.route(name="unknown").mock(side_effect=side_effect)
    return router
