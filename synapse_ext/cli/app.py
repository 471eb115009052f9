"""The ``synapse-dc`` command group: global options and error handling."""

from __future__ import annotations

import traceback
from typing import Any

import click

from .cmd_browse import collection, collections, units
from .cmd_upload import upload
from .config import ENV_BASE_URL, ENV_TENANT, ENV_TOKEN, Settings
from .exits import CliError, ExitCode, describe_error
from .session import Session

__all__ = ["cli"]

EPILOG = (
    "Exit codes: 0 ok; 1 some groups failed (re-run to retry them); 2 usage or configuration "
    "error; 3 authentication/permission refused; 4 collection not found; 5 server unreachable "
    "or failing; 130 interrupted (re-run to resume)."
)


class _Group(click.Group):
    """Turns the errors that end a command into one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            session = ctx.find_object(Session)
            if session is not None:
                session.output.error("interrupted; re-run the same command to resume")
            raise click.exceptions.Exit(int(ExitCode.INTERRUPTED)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            session = ctx.find_object(Session)
            failure = describe_error(exc, session.base_url if session else None)
            if session is None:  # pragma: no cover - the session exists before any command
                click.echo(f"error: {failure.message}", err=True)
                raise click.exceptions.Exit(int(failure.code)) from None
            if session.verbose >= 2 and not isinstance(exc, CliError):
                trace = "".join(traceback.format_exception(exc))
                session.output.err.print(session.output.redact(trace), markup=False, style="dim")
            session.output.error(failure.message)
            raise click.exceptions.Exit(int(failure.code)) from None


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--base-url", envvar=ENV_BASE_URL, help=f"Server URL [env {ENV_BASE_URL}].")
@click.option(
    "--token", envvar=ENV_TOKEN, help=f"Access token [env {ENV_TOKEN}; prefer the variable]."
)
@click.option("--tenant", envvar=ENV_TENANT, help=f"Tenant code [env {ENV_TENANT}].")
@click.option(
    "--mock",
    is_flag=True,
    help="Use an in-process fake backend with demo fixtures (offline; state lives in this run).",
)
@click.option("-v", "--verbose", count=True, help="Log more on stderr (-v INFO, -vv DEBUG).")
@click.version_option(package_name="synapse-dc", prog_name="synapse-dc")
@click.pass_context
def cli(
    ctx: click.Context,
    base_url: str | None,
    token: str | None,
    tenant: str | None,
    mock: bool,
    verbose: int,
) -> None:
    """Fill Synapse data collections from folders, and look at what is there."""
    session = Session(Settings(base_url, token, tenant), mock=mock, verbose=verbose)
    session.output.add_secret(token)
    ctx.obj = session
    ctx.call_on_close(session.output.setup_logging(verbose))
    if mock and (base_url or token or tenant):
        session.output.note("--mock: ignoring the configured server and credentials")


cli.add_command(collections)
cli.add_command(collection)
cli.add_command(units)
cli.add_command(upload)
