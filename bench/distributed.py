"""Sharded ingestion on Dask: throughput of 2 worker processes against 1 (files read from an
S3 source), and driver memory.

Both throughput runs use the same files, the same fake (``synapse-mock serve --latency-ms``,
whose latency applies to the API and to its storage origin: checked here by timing one
presigned PUT) and a fresh ``LocalCluster`` each; the fake is reset between them.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
import httpx

from bench import serve
from bench.small_files import make_files
from synapse_ext import SynapseClient, organize, upload_data_collection
from synapse_ext.distributed import ShardedExecutor, dask_client, plan_shards

LATENCY_MS = 20
WORKERS = 4
"""Upload threads per shard: the run is bound by the 20 ms latency, not by this machine's CPU."""
SHARDS_PER_PROCESS = 4


def storage_latency_ms(url: str) -> float:
    """Milliseconds of one presigned PUT of 4 KiB to the fake's storage origin."""
    with SynapseClient(url, serve.TOKEN) as client:
        issued = client.request_upload_urls(1, [("probe.jpg", 4096, "image/jpeg")])
        target = issued.files[0].presigned_url
        start = time.perf_counter()
        httpx.put(target, content=bytes(4096), timeout=30).raise_for_status()
        return round((time.perf_counter() - start) * 1000, 1)


def _timed_run(url: str, groups: list[Any], processes: int, journals: Path) -> float:
    with dask_client(f"local:{processes}") as dask, SynapseClient(url, serve.TOKEN) as client:
        dask.run(importlib.import_module, "synapse_ext.distributed.shard")  # warm: not timed
        executor = ShardedExecutor(dask.get_executor(), shards=SHARDS_PER_PROCESS * processes)
        start = time.perf_counter()
        result = upload_data_collection(
            client,
            1,
            groups,
            api="v2",
            executor=executor,
            journal=journals,
            max_workers=WORKERS,
            trust_etag=True,  # S3 ETags of these objects are their MD5: each byte read once
        )
        seconds = time.perf_counter() - start
    if not result.success or result.units_created != len(groups):
        raise RuntimeError(f"sharded ingestion failed: {result.to_dict()}")
    return seconds


@contextlib.contextmanager
def s3_source(paths: list[Path], root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The files in a bucket of moto's S3 server (its own process, on a loopback port):
    (URL, source options)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        options = {"endpoint_url": endpoint, "key": "bench", "secret": "bench"}
        s3 = botocore.session.get_session().create_client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        for _ in range(300):
            try:
                s3.create_bucket(Bucket="bench-source")
                break
            except botocore.exceptions.EndpointConnectionError:
                time.sleep(0.05)
        for path in paths:
            key = f"dataset/{path.relative_to(root).as_posix()}"
            s3.put_object(Bucket="bench-source", Key=key, Body=path.read_bytes())
        yield "s3://bench-source/dataset", options
    finally:
        server.terminate()
        server.wait(timeout=30)


def throughput(workdir: Path, n: int) -> dict[str, Any]:
    """Files per second with 1 and 2 Dask worker processes, same run, same files, read by
    the workers from an S3 source (moto's server on loopback)."""
    root = workdir / "dist-data"
    paths = make_files(root, n, tag="dist ")
    with (
        s3_source(paths, root) as (source, options),
        serve.served(workdir / "dist-storage", latency_ms=LATENCY_MS) as url,
    ):
        probe = storage_latency_ms(url)
        with SynapseClient(url, serve.TOKEN) as client:
            organized = organize(source, client.get_collection(1), source_options=options)
        groups = list(organized.groups)
        if len(groups) != n:
            raise RuntimeError(f"the S3 source organized into {len(groups)} groups, not {n}")
        serve.reset(url)
        one = _timed_run(url, groups, 1, workdir / "dist-j1")
        serve.reset(url)
        two = _timed_run(url, groups, 2, workdir / "dist-j2")
    return {
        "files": n,
        "file_size": 4096,
        "source": "s3 (moto server on loopback), trust_etag",
        "latency_ms": LATENCY_MS,
        "storage_put_ms": probe,
        "one_process_files_per_s": round(n / one, 1),
        "two_processes_files_per_s": round(n / two, 1),
        "speedup": round(one / two, 2),
    }


def driver_memory(workdir: Path, counts: tuple[int, ...]) -> dict[str, Any]:
    """Traced peak of the driver's listing and planning, MiB per 10k files.

    What the driver does before submitting: ``organize`` (the listing, with its report) and
    :func:`plan_shards` (normalize, dedup, split); the files are 1 byte each (planning reads
    none of them, organize only stats them).
    """
    folder = workdir / "dist-memory" / "image"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, float] = {}
    with (
        serve.served(workdir / "dist-memory-storage") as url,
        SynapseClient(url, serve.TOKEN) as client,
    ):
        collection = client.get_collection(1)
        made = 0
        for n in sorted(counts):
            for i in range(made, n):
                (folder / f"img{i:06d}.jpg").write_bytes(b"x")
            made = n
            gc.collect()
            tracemalloc.start()
            organized = organize(folder.parent, collection)
            plan = plan_shards(organized.groups, 64)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert plan.groups == n, plan.groups
            del plan, organized
            out[str(n)] = round(peak / 2**20 / n * 10_000, 2)
    return {"mib_per_10k_files": out}
