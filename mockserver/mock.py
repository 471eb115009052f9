"""The user-facing handle: one fake backend behind respx or a real HTTP server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import httpx

from mockserver.clock import Clock
from mockserver.contract import ContractValidator, Violation
from mockserver.dispatch import Call, Dispatcher
from mockserver.faults import FaultController
from mockserver.fixtures import DEFAULT_TOKEN, default_fixtures, load_fixtures
from mockserver.state import Backend

__all__ = ["MockSynapse", "build_dispatcher", "mock_synapse", "mock_synapse_server"]

Mode = Literal["respx", "server"]


def _fixtures(fixtures: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    if fixtures is None:
        return default_fixtures()
    if isinstance(fixtures, dict):
        return fixtures
    return load_fixtures(fixtures)


def build_dispatcher(
    *,
    backend: Backend | None = None,
    token: str | None = DEFAULT_TOKEN,
    tenant: str | None = None,
    fixtures: dict[str, Any] | str | Path | None = None,
    storage: str | Path | None = None,
    validate: bool = False,
    latency_ms: int = 0,
    clock: Clock | None = None,
    max_upload_bytes: int | None = None,
    seed: int = 0,
    base_path: str = "",
    spec_path: str | Path | None = None,
) -> Dispatcher:
    """Backend + faults + optional contract validator, wired together."""
    if backend is None:
        backend = Backend(
            _fixtures(fixtures),
            storage=storage,
            clock=clock,
            seed=seed,
            max_upload_bytes=max_upload_bytes,
        )
    if token:
        code = tenant or next(iter(backend.tenants), None)
        if code is None:
            raise ValueError("the fixtures define no tenant to attach the token to")
        backend.add_token(token, code, keep=True)
    validator = ContractValidator(spec_path) if validate else None
    return Dispatcher(
        backend,
        faults=FaultController(latency_ms=latency_ms),
        validator=validator,
        base_path=base_path,
    )


class MockSynapse:
    """A running fake: ``base_url``, credentials, state, call log, faults and transport.

    ``router`` is the respx router (routes named by operationId) in respx mode and None in
    server mode; ``transport`` is an ``httpx.MockTransport`` in respx mode and None in server
    mode (use the network). ``sleep`` is what the respx transport calls for latency.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        base_url: str,
        token: str | None,
        *,
        mode: Mode,
        router: Any = None,
        transport: httpx.MockTransport | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.base_url = base_url.rstrip("/")
        self.token = token
        codes = dispatcher.backend.tokens.get(token or "", [])
        self.tenant: str | None = codes[0] if codes else None
        self.mode: Mode = mode
        self.router = router
        self.transport = transport
        self.sleep: Callable[[float], None] = time.sleep

    @property
    def backend(self) -> Backend:
        return self.dispatcher.backend

    @property
    def faults(self) -> FaultController:
        return self.dispatcher.faults

    @property
    def calls(self) -> list[Call]:
        return self.dispatcher.calls

    @property
    def contract_violations(self) -> list[Violation]:
        return self.dispatcher.contract_violations

    def call_count(self, operation_id: str) -> int:
        """Requests received for an operation (including faulted ones), in both modes."""
        return self.backend.operation_calls[operation_id]

    def expect_invalid_requests(self) -> Any:
        """Context manager: allow spec-invalid requests (they must still get a 4xx)."""
        return self.dispatcher.expect_invalid_requests()

    def reset(self) -> None:
        """Reset state, faults, the call log and recorded violations."""
        self.dispatcher.reset()

    def headers(self, token: str | None = None, tenant: str | None = None) -> dict[str, str]:
        """Auth headers for this fake (``Synapse-Access-Token`` and optional tenant)."""
        headers = {"Synapse-Access-Token": f"Token {token or self.token}"}
        if tenant:
            headers["Synapse-Tenant"] = f"Token {tenant}"
        return headers

    def client(self, *, auth: bool = True, **kwargs: Any) -> httpx.Client:
        """An httpx client wired to this fake (base URL, transport, auth headers)."""
        kwargs.setdefault("base_url", self.base_url)
        if auth:
            kwargs.setdefault("headers", self.headers())
        if self.transport is not None:
            kwargs.setdefault("transport", self.transport)
        return httpx.Client(**kwargs)

    def async_client(self, *, auth: bool = True, **kwargs: Any) -> httpx.AsyncClient:
        """The async twin of :meth:`client`."""
        kwargs.setdefault("base_url", self.base_url)
        if auth:
            kwargs.setdefault("headers", self.headers())
        if self.transport is not None:
            kwargs.setdefault("transport", self.transport)
        return httpx.AsyncClient(**kwargs)


@contextmanager
def mock_synapse(
    base_url: str = "https://api.synapse.sh",
    *,
    token: str = DEFAULT_TOKEN,
    tenant: str | None = None,
    fixtures: dict[str, Any] | str | Path | None = None,
    storage: str | Path | None = None,
    validate: bool = False,
    latency_ms: int = 0,
    patch: bool = True,
    **options: Any,
) -> Iterator[MockSynapse]:
    """The fake served in-process through respx.

    With ``patch=True`` every httpx client (sync or async) sending to ``base_url`` hits the
    fake; ``handle.transport`` also works for explicit injection. Extra ``options``:
    ``clock``, ``max_upload_bytes``, ``seed``, ``spec_path``.
    """
    from urllib.parse import urlsplit

    from mockserver.respx_transport import build_router

    dispatcher = build_dispatcher(
        token=token,
        tenant=tenant,
        fixtures=fixtures,
        storage=storage,
        validate=validate,
        latency_ms=latency_ms,
        base_path=urlsplit(base_url).path.rstrip("/"),
        **options,
    )
    handle = MockSynapse(dispatcher, base_url, token, mode="respx")
    router: Any = build_router(dispatcher, base_url, patch=patch, sleep=lambda s: handle.sleep(s))
    handle.router = router
    handle.transport = httpx.MockTransport(router.handler)
    try:
        if patch:
            with router:
                yield handle
        else:
            yield handle
    finally:
        dispatcher.backend.close()


@contextmanager
def mock_synapse_server(
    base_url: str | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    tenant: str | None = None,
    fixtures: dict[str, Any] | str | Path | None = None,
    storage: str | Path | None = None,
    validate: bool = False,
    latency_ms: int = 0,
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> Iterator[MockSynapse]:
    """The same fake and handle, served over real HTTP by uvicorn in a thread.

    ``base_url`` is ignored (the server picks its own ``http://host:port``); it is accepted
    so calls can switch between :func:`mock_synapse` and this function unchanged.
    """
    from mockserver.server import ThreadedServer

    dispatcher = build_dispatcher(
        token=token,
        tenant=tenant,
        fixtures=fixtures,
        storage=storage,
        validate=validate,
        latency_ms=latency_ms,
        **options,
    )
    server = ThreadedServer(dispatcher, host, port)
    handle = MockSynapse(dispatcher, server.url, token, mode="server")
    server.start()
    try:
        yield handle
    finally:
        server.stop()
        dispatcher.backend.close()
