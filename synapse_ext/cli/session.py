"""The state shared by the commands of one invocation: settings, output, the client."""

from __future__ import annotations

import attrs
import click

from ..client import SynapseClient
from ..progress import ProgressReporter
from .config import Settings
from .output import Output

__all__ = ["Session", "pass_session"]


@attrs.define
class Session:
    """One ``synapse-dc`` invocation. ``base_url`` is known once :meth:`client` has run."""

    settings: Settings
    mock: bool = False
    verbose: int = 0
    output: Output = attrs.Factory(Output)
    base_url: str | None = None

    def client(self, ctx: click.Context, progress: ProgressReporter | None = None) -> SynapseClient:
        """A client for the configured server (or the fake under ``--mock``), closed with ctx."""
        if self.mock:
            from .fake import start_fake

            fake = start_fake(ctx)
            base_url, token, tenant = fake.base_url, fake.token, fake.tenant
        else:
            base_url, token = self.settings.require()
            tenant = self.settings.tenant
        self.output.add_secret(token)
        self.base_url = base_url
        return ctx.with_resource(SynapseClient(base_url, token, tenant=tenant, progress=progress))


pass_session = click.make_pass_decorator(Session)
