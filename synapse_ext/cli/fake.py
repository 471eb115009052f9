"""``--mock``: the in-process fake backend with its default fixtures.

This is the only place in ``synapse_ext`` that imports ``mockserver``, and only lazily, under
``--mock``: the layering rule (mockserver never imports the client packages) is unaffected,
and an installation that never uses ``--mock`` never loads the fake. The fake's own
dependencies come with the ``mock`` extra; without them ``--mock`` says what to install.
"""

from __future__ import annotations

import attrs
import click

from .exits import CliError, ExitCode

__all__ = ["FakeEndpoint", "start_fake"]


@attrs.frozen
class FakeEndpoint:
    """Where the fake answers and the credentials it accepts."""

    base_url: str
    token: str = attrs.field(repr=False)
    tenant: str | None


def start_fake(ctx: click.Context) -> FakeEndpoint:
    """Start the fake for the life of ``ctx`` (every httpx client is routed to it)."""
    from mockserver import MissingExtraError, mock_synapse  # the CLI's one, lazy, use of the fake

    try:
        handle = ctx.with_resource(mock_synapse())
    except MissingExtraError as exc:
        raise CliError(ExitCode.USAGE, f"--mock: {exc}") from None
    assert handle.token is not None
    return FakeEndpoint(handle.base_url, handle.token, handle.tenant)
