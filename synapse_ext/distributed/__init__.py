"""Distributed ingestion: shards of one run on any ``concurrent.futures.Executor``.

``upload_data_collection(client, id, groups, executor=EXECUTOR)`` plans once on the driver
(API choice, collection check, normalization, global deduplication), splits the groups into
shards by a stable hash of their key, and runs each shard as an ordinary ingestion on a
worker, with its own client (built from picklable :class:`ClientSettings`) and its own
journal. The driver merges the shards' results and shows one progress display. On Dask
(``distributed``, the ``dask`` extra), a shard whose worker died is run again by the
scheduler; :func:`dask_client` connects to a scheduler or starts a ``LocalCluster``.
"""

from .cluster import DaskAddressError, MissingDaskError, dask_client, parse_dask_address
from .driver import ShardedExecutor
from .settings import TOKEN_ENV, ClientSettings
from .shard import ShardTask, run_shard, shard_journal_path
from .sharding import ShardPlan, plan_shards, shard_of

__all__ = [
    "TOKEN_ENV",
    "ClientSettings",
    "DaskAddressError",
    "MissingDaskError",
    "ShardPlan",
    "ShardTask",
    "ShardedExecutor",
    "dask_client",
    "parse_dask_address",
    "plan_shards",
    "run_shard",
    "shard_journal_path",
    "shard_of",
]
