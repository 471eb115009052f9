"""Connect to a Dask scheduler, or start a ``LocalCluster``, for a distributed ingestion.

``distributed`` is optional (``pip install 'synapse-dc[dask]'``) and imported only here,
inside the functions that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import SynapseError

__all__ = ["DaskAddressError", "MissingDaskError", "dask_client", "parse_dask_address"]

_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(?:(tcp|tls|ucx|inproc|ws|wss)://)?[^\s/:]+(?::\d{1,5})?/?")
_MAX_LOCAL = 1024


class DaskAddressError(SynapseError, ValueError):
    """A ``--dask`` value that is neither a scheduler address nor ``local:N``."""


class MissingDaskError(SynapseError, ImportError):
    """``distributed`` is not installed."""


def parse_dask_address(value: str) -> str | int:
    """``local:N`` → ``N`` (worker processes to start); a scheduler address → itself."""
    text = value.strip()
    local = _LOCAL.fullmatch(text)
    if local:
        n = int(local.group(1))
        if not 1 <= n <= _MAX_LOCAL:
            raise DaskAddressError(f"local:N needs 1 <= N <= {_MAX_LOCAL}, got {value!r}")
        return n
    if text.startswith("local") or not _ADDRESS.fullmatch(text):
        raise DaskAddressError(
            f"expected a scheduler address such as tcp://10.0.0.5:8786, or local:N "
            f"(N worker processes on this machine), got {value!r}"
        )
    return text


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise MissingDaskError("Dask is not installed: pip install 'synapse-dc[dask]'") from exc
    return distributed


@contextmanager
def dask_client(address: str, *, timeout: float | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address`` (see :func:`parse_dask_address`), closed at exit.

    ``local:N`` starts a ``LocalCluster`` of N worker processes (one thread each; a shard
    runs its own upload threads) and stops it at exit. ``timeout``: seconds to reach the
    scheduler (Dask's ``distributed.comm.timeouts.connect`` by default); an unreachable
    scheduler raises ``OSError``.
    """
    target = parse_dask_address(address)
    distributed = _distributed()
    options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    if isinstance(target, int):
        cluster = distributed.LocalCluster(
            n_workers=target, processes=True, threads_per_worker=1, dashboard_address=None
        )
        try:
            with distributed.Client(cluster, **options) as client:
                yield client
        finally:
            cluster.close()
        return
    with distributed.Client(target, **options) as client:
        yield client
