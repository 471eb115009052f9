"""``SynapseAuth``: the Synapse credentials, added per request, only on the API's own origin.

v1 paths get ``Synapse-Access-Token: Token <t>`` / ``Synapse-Tenant: Token <code>``; paths
under ``<base path>/v2/`` get the v2 style, ``SYNAPSE-ACCESS-TOKEN: <t>`` /
``SYNAPSE-Tenant: <code>`` (raw). The legacy ``Authorization: Token <t>`` is the same for
both. A request to any other origin (scheme, host, port) — a presigned storage URL, a
foreign ``next`` link — gets no Synapse header at all. Nothing here logs, and the repr holds
no secret.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

__all__ = ["SynapseAuth", "origin"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the port made explicit for http and https."""
    scheme = url.scheme.lower()
    return scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(scheme)


class SynapseAuth(httpx.Auth):
    """Adds the configured Synapse headers to requests for the base URL's origin only."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        tenant: str | None = None,
        legacy_token: str | None = None,
    ) -> None:
        url = httpx.URL(base_url)
        self._origin = origin(url)
        self._v2_prefix = url.path.rstrip("/") + "/v2/"
        v1: dict[str, str] = {}
        v2: dict[str, str] = {}
        if token:
            v1["Synapse-Access-Token"] = f"Token {token}"
            v2["SYNAPSE-ACCESS-TOKEN"] = token
        if legacy_token:
            v1["Authorization"] = v2["Authorization"] = f"Token {legacy_token}"
        if tenant:
            v1["Synapse-Tenant"] = f"Token {tenant}"
            v2["SYNAPSE-Tenant"] = tenant
        self._v1, self._v2 = v1, v2

    def headers_for(self, url: httpx.URL) -> dict[str, str]:
        """The headers a request to ``url`` gets (none off the API's origin)."""
        if origin(url) != self._origin:
            return {}
        return dict(self._v2 if url.path.startswith(self._v2_prefix) else self._v1)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the headers (a header the request already carries wins)."""
        for name, value in self.headers_for(request.url).items():
            if name not in request.headers:
                request.headers[name] = value
        yield request

    def __repr__(self) -> str:
        scheme, host, port = self._origin
        names = sorted(self._v1)
        return f"SynapseAuth(origin='{scheme}://{host}:{port}', headers={names})"
