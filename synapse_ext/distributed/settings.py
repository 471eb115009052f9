"""Picklable settings a shard builds its own client from, on whatever worker it runs.

A client holds sockets and a connection pool and cannot travel to another process; these
settings can. The token is carried (or, with ``token=None``, read from the worker's
``SYNAPSE_ACCESS_TOKEN``) but never shown: the repr masks it, and task keys are built from
the run id and shard number only.
"""

from __future__ import annotations

import os
from typing import Any

import attrs
import httpx

from ..client import AsyncSynapseClient, SynapseClient
from ..policy import DEFAULT_RETRY, RetryPolicy

__all__ = ["TOKEN_ENV", "ClientSettings"]

TOKEN_ENV = "SYNAPSE_ACCESS_TOKEN"
"""Where a worker finds the token when the settings carry none."""


def _mask(value: str | None) -> str:
    return "None" if value is None else "'***'"


@attrs.frozen(repr=False)
class ClientSettings:
    """How to build a :class:`~synapse_ext.SynapseClient` on a worker (picklable, redacting).

    ``token=None`` (and no ``legacy_token``): the worker reads ``SYNAPSE_ACCESS_TOKEN`` from
    its own environment, so the secret never leaves the machines that already hold it.
    """

    base_url: str
    token: str | None = None
    tenant: str | None = None
    legacy_token: str | None = None
    timeout: tuple[float | None, float | None, float | None, float | None] | None = None
    """``(connect, read, write, pool)`` seconds (``None``: the client's default)."""
    upload_timeout: float = 300.0
    max_connections: int = 10
    retry: RetryPolicy | None = DEFAULT_RETRY

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, token={_mask(self.token)}, "
            f"tenant={self.tenant!r}, legacy_token={_mask(self.legacy_token)})"
        )

    __str__ = __repr__

    @classmethod
    def from_client(
        cls, client: SynapseClient | AsyncSynapseClient, *, with_token: bool = True
    ) -> ClientSettings:
        """The settings of an existing client (``with_token=False``: workers use their env)."""
        headers = client._auth.headers_for(httpx.URL(client.base_url + "/v2/"))
        legacy = headers.get("Authorization")
        t = client._timeout
        return cls(
            base_url=client.base_url,
            token=headers.get("SYNAPSE-ACCESS-TOKEN") if with_token else None,
            tenant=headers.get("SYNAPSE-Tenant"),
            legacy_token=legacy.removeprefix("Token ") if legacy and with_token else None,
            timeout=(t.connect, t.read, t.write, t.pool),
            upload_timeout=client.upload_timeout,
            max_connections=client.max_connections,
            retry=client.retry,
        )

    def client(self) -> SynapseClient:
        """A new blocking client (close it: ``with settings.client() as client:``)."""
        token = self.token
        if token is None and self.legacy_token is None:
            token = os.environ.get(TOKEN_ENV)
        options: dict[str, Any] = {}
        if self.timeout is not None:
            options["timeout"] = httpx.Timeout(
                connect=self.timeout[0],
                read=self.timeout[1],
                write=self.timeout[2],
                pool=self.timeout[3],
            )
        return SynapseClient(
            self.base_url,
            token,
            tenant=self.tenant,
            legacy_token=self.legacy_token,
            upload_timeout=self.upload_timeout,
            max_connections=self.max_connections,
            retry=self.retry,
            **options,
        )
