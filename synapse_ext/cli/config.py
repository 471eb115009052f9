"""Where to connect: flags, else environment variables; the token is never shown."""

from __future__ import annotations

import attrs

from .exits import CliError, ExitCode

__all__ = ["ENV_BASE_URL", "ENV_TENANT", "ENV_TOKEN", "Settings"]

ENV_BASE_URL = "SYNAPSE_BASE_URL"
ENV_TOKEN = "SYNAPSE_ACCESS_TOKEN"
ENV_TENANT = "SYNAPSE_TENANT"


@attrs.frozen
class Settings:
    """Connection settings; ``repr`` and :meth:`describe` hide the token."""

    base_url: str | None = None
    token: str | None = attrs.field(default=None, repr=False)
    tenant: str | None = None

    def describe(self) -> str:
        """One line for logs: server, tenant, whether a token is set (never its value)."""
        token = "set (hidden)" if self.token else "not set"
        return f"server {self.base_url or '-'}, tenant {self.tenant or '-'}, token {token}"

    def require(self) -> tuple[str, str]:
        """``(base_url, token)``, or a usage error that says how to set what is missing."""
        if not self.base_url and not self.token:
            raise CliError(
                ExitCode.USAGE,
                f"no server configured: pass --base-url and --token or set {ENV_BASE_URL} "
                f"and {ENV_TOKEN} (or try the offline fake with --mock)",
            )
        if not self.base_url:
            raise CliError(ExitCode.USAGE, f"no server URL: pass --base-url or set {ENV_BASE_URL}")
        if not self.token:
            raise CliError(ExitCode.USAGE, f"no access token: pass --token or set {ENV_TOKEN}")
        return self.base_url, self.token
