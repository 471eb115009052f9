"""``SynapseClient`` and ``AsyncSynapseClient``: the typed clients (return generated models).

Both have the same methods, written once as flows in :class:`~._api.ClientApi`; they differ
only in the httpx client and the driver that performs the flows.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

import anyio
import httpx

from .._closing import Closing
from .._redact import install_log_redaction
from .._wire.dataplane import StoragePool
from .._wire.transport import RecordingTransport
from ._api import ClientApi
from ._drivers import AsyncDriver, SyncDriver
from ._options import pool_limits
from ._worlds import AsyncWorld, SyncWorld

__all__ = ["AsyncSynapseClient", "SynapseClient"]


class SynapseClient(Closing, SyncWorld, ClientApi[httpx.BaseTransport, Callable[[float], None]]):
    """Typed client for the Synapse data-collection API.

    ``SynapseClient(base_url, token)`` sends ``Synapse-Access-Token: Token <token>`` (and
    ``Synapse-Tenant`` / legacy ``Authorization`` when given); on ``/v2/`` paths the v2 style
    (``SYNAPSE-ACCESS-TOKEN: <token>``, ``SYNAPSE-Tenant: <code>``, raw). Credentials go only
    to the base URL's origin, never to presigned storage URLs. Use it as a context manager or
    call :meth:`close`. ``transport`` injects an httpx transport (e.g. ``httpx.MockTransport``);
    ``sleep`` and ``uniform`` are how it waits and draws jitter (injectable for tests);
    ``retry=None`` disables retries.
    """

    def _open(
        self, transport: httpx.BaseTransport | None, sleep: Callable[[float], None] | None
    ) -> None:
        install_log_redaction()  # httpx logs every URL, presigned ones with their signature
        inner = transport or httpx.HTTPTransport(limits=pool_limits(self.max_connections))
        self._http = httpx.Client(transport=RecordingTransport(inner), **self._httpx_options())  # type: ignore[arg-type]
        # Storage PUTs take urllib3 only when the network is ours: a given transport
        # (a mock, a fake, a caller's own) sees them all, as before.
        storage = StoragePool(self._timeout, self.max_connections) if transport is None else None
        self._driver = SyncDriver(self._http, self.base_url, sleep or time.sleep, storage)

    def close(self) -> None:
        """Close the connection pools."""
        self._http.close()
        if self._driver.storage is not None:
            self._driver.storage.close()


class AsyncSynapseClient(
    AsyncWorld, ClientApi[httpx.AsyncBaseTransport, Callable[[float], Awaitable[None]]]
):
    """Async twin of :class:`SynapseClient`: identical method names and signatures, awaited.

    File reads and hashing run in worker threads, so the event loop never blocks on disk.
    """

    def _open(
        self,
        transport: httpx.AsyncBaseTransport | None,
        sleep: Callable[[float], Awaitable[None]] | None,
    ) -> None:
        install_log_redaction()
        inner = transport or httpx.AsyncHTTPTransport(limits=pool_limits(self.max_connections))
        self._http = httpx.AsyncClient(transport=RecordingTransport(inner), **self._httpx_options())  # type: ignore[arg-type]
        # As the sync client: storage PUTs take urllib3 (in threads) only when the network is ours.
        storage = StoragePool(self._timeout, self.max_connections) if transport is None else None
        self._driver = AsyncDriver(
            self._http, self.base_url, sleep or anyio.sleep, storage, self.max_connections
        )

    async def aclose(self) -> None:
        """Close the connection pools."""
        await self._http.aclose()
        if self._driver.storage is not None:
            self._driver.storage.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
