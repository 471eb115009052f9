"""Fixtures of the distributed tests: the fake over real HTTP (workers are other processes)
and one ``LocalCluster`` of two worker processes shared by the whole folder (starting one is
slow), stopped when the folder is done."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse, mock_synapse
from synapse_ext import SynapseClient

from ..ingest.conftest import FAST, make_dataset

TOKEN = "dist-Tok3n-5b2e81c4-never-shown"
"""A distinctive token: searched for in reprs, keys and output."""
N_GROUPS = 40

Dataset = tuple[Path, dict[str, dict[str, str]]]


@pytest.fixture(scope="module")
def http_fake() -> Iterator[MockSynapse]:
    with mock_synapse(mode="server", token=TOKEN) as fake:
        yield fake


@pytest.fixture
def fake(http_fake: MockSynapse) -> MockSynapse:
    http_fake.reset()
    http_fake.faults.latency_ms = 0  # reset() keeps latency; a test sets it when it needs it
    return http_fake


@pytest.fixture
def client(fake: MockSynapse) -> Iterator[SynapseClient]:
    with SynapseClient(fake.base_url, TOKEN, retry=FAST) as c:
        yield c


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    root = tmp_path / "data"
    return root, make_dataset(root, N_GROUPS)


@pytest.fixture(scope="package")  # stopped once this folder's tests are done
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A ``distributed.Client`` on a LocalCluster of 2 worker processes, 1 thread each.

    Workers (and those restarted after a kill) get a private cache folder: a shard that uses
    the default journals never writes into the user's cache.
    """
    from synapse_ext.distributed import dask_client

    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("worker-cache"))
    try:
        with dask_client("local:2") as dask:
            yield dask
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture
def dask(dask_cluster: Any) -> Any:
    dask_cluster.wait_for_workers(2, timeout=60)  # a test may have killed one
    return dask_cluster


def unit_count(fake: MockSynapse) -> int:
    return len(fake.state()["data_units"])
