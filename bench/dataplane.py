"""Client CPU per presigned storage PUT (4 KiB), each client's old and new path, interleaved.

Run: ``python -m bench.dataplane [rounds]``. Starts ``synapse-mock serve`` as its own process
(bench/serve.py), presigns one 4 KiB file per PUT through the v2 API, then sends the PUTs 10
at a time through four paths in alternation: the sync client's httpx path (before) and its
urllib3 pool (now); the async client's httpx path (httpcore, before) and the urllib3 pool in
worker threads (now). Prints the median CPU per PUT of each and the ratios. Only the PUTs are
timed (process CPU, all threads).
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx

from synapse_ext._wire.dataplane import StoragePool
from synapse_ext._wire.storage import StoragePut

from .serve import TOKEN, served

N = 200  # PUTs per round and path
CONCURRENCY = 10


def _urls(base: str, count: int) -> list[str]:
    headers = {"SYNAPSE-ACCESS-TOKEN": TOKEN}
    files = [{"filename": f"f{i}.bin", "size": 4096} for i in range(count)]
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        answer = http.post("/v2/data-collections/1/upload-urls/", json={"files": files})
        answer.raise_for_status()
        return [entry["presigned_url"] for entry in answer.json()["data"]["files"]]


def _sync_arm(send: Callable[[StoragePut], httpx.Response], urls: list[str], path: Path) -> None:
    def one(url: str) -> None:
        assert send(StoragePut(url, path, 0, 4096, hashlib.md5())).status_code == 200

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, urls))


async def _async_arm(
    aclient: httpx.AsyncClient, pool: StoragePool | None, urls: list[str], path: Path
) -> None:
    gate = anyio.Semaphore(CONCURRENCY)
    limiter = anyio.CapacityLimiter(CONCURRENCY)

    async def one(url: str) -> None:
        put = StoragePut(url, path, 0, 4096, hashlib.md5())
        async with gate:
            if pool is None:
                answer = await aclient.send(put.request(aclient))
                await answer.aread()
            else:
                answer = await anyio.to_thread.run_sync(pool.put, put, None, limiter=limiter)
        assert answer.status_code == 200

    async with anyio.create_task_group() as group:
        for url in urls:
            group.start_soon(one, url)


def main(rounds: int = 5) -> None:
    names = ("sync httpx", "sync urllib3", "async httpx", "async urllib3 in threads")
    results: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as base:
        path = Path(tmp) / "f.bin"
        path.write_bytes(b"x" * 4096)
        http = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=CONCURRENCY))
        pool = StoragePool(httpx.Timeout(60), CONCURRENCY)

        async def rounds_of_all() -> None:
            limits = httpx.Limits(max_connections=CONCURRENCY)
            async with httpx.AsyncClient(timeout=60, limits=limits) as aclient:
                for _ in range(rounds):
                    for name in names:
                        urls = _urls(base, N)
                        start = time.process_time()
                        if name == "sync httpx":
                            _sync_arm(lambda put: http.send(put.request(http)), urls, path)
                        elif name == "sync urllib3":
                            _sync_arm(lambda put: pool.put(put, None), urls, path)
                        else:
                            arm_pool = None if name == "async httpx" else pool
                            await _async_arm(aclient, arm_pool, urls, path)
                        results[name].append((time.process_time() - start) / N * 1000)

        anyio.run(rounds_of_all)
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name in names:
        print(f"{name:<26} {medians[name]:.3f} ms CPU/PUT")
    print(f"sync:  httpx / urllib3 {medians['sync httpx'] / medians['sync urllib3']:.2f}x")
    print(
        "async: httpx / urllib3 in threads "
        f"{medians['async httpx'] / medians['async urllib3 in threads']:.2f}x"
    )
    print(
        "async urllib3 in threads / sync urllib3 "
        f"{medians['async urllib3 in threads'] / medians['sync urllib3']:.2f}x"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
