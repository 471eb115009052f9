"""``synapse-dc upload --dask ADDRESS``: the Dask client of one command, and its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..distributed import DaskAddressError, ShardedExecutor, dask_client, parse_dask_address
from ..distributed.cluster import MissingDaskError
from ..ingest import DEFAULT_JOURNAL, JournalArg
from .exits import CliError, ExitCode
from .session import Session

__all__ = ["DASK_HELP", "check_dask", "dask_executor", "dask_journal"]

DASK_HELP = (
    "Run the upload as shards on a Dask cluster: a scheduler address (tcp://HOST:8786) or "
    "local:N (start N worker processes here)."
)


def check_dask(address: str, session: Session, *, restart: bool) -> None:
    """Usage errors of ``--dask`` (exit 2), before anything is sent."""
    try:
        parse_dask_address(address)
    except DaskAddressError as exc:
        raise CliError(ExitCode.USAGE, f"--dask: {exc}") from None
    if session.mock:
        raise CliError(
            ExitCode.USAGE,
            "--dask cannot be used with --mock: the fake lives in this process and workers "
            "cannot reach it; serve one with `synapse-mock serve` and pass --base-url",
        )
    if restart:
        raise CliError(
            ExitCode.USAGE,
            "--restart is not supported with --dask (shard journals live on the workers); "
            "use --no-resume or a new --journal folder",
        )


def dask_journal(path: Path | None, *, no_resume: bool) -> JournalArg:
    """The shard journals: a folder (``--journal``), none (``--no-resume``), or the default."""
    if no_resume:
        return None
    return path if path is not None else DEFAULT_JOURNAL


def dask_executor(ctx: click.Context, address: str, shards: int | None = None) -> Any:
    """A ``ShardedExecutor`` over the Dask cluster at ``address``, open for the command."""
    try:
        client = ctx.with_resource(dask_client(address))
    except MissingDaskError as exc:
        raise CliError(ExitCode.USAGE, f"--dask: {exc}") from None
    except (OSError, TimeoutError) as exc:
        raise CliError(
            ExitCode.UNAVAILABLE,
            f"cannot reach the Dask scheduler at {address} ({exc}); check the address and "
            "that the scheduler is running",
        ) from None
    return ShardedExecutor(client.get_executor(), shards=shards)
