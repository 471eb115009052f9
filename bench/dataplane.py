"""Client CPU per presigned storage PUT (4 KiB): httpx (as before) vs urllib3, interleaved.

Run: ``python -m bench.dataplane [rounds]``. Starts ``synapse-mock serve`` as its own process
(bench/serve.py), presigns one 4 KiB file per PUT through the v2 API, then sends each PUT
through the client's storage path with the httpx path and the urllib3 path in alternation;
prints the median CPU per PUT of each and their ratio. Only the PUT itself is timed.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from synapse_ext._wire.dataplane import StoragePool
from synapse_ext._wire.storage import StoragePut

from .serve import TOKEN, served

N = 200  # PUTs per round and path


def _urls(base: str, count: int) -> list[str]:
    headers = {"SYNAPSE-ACCESS-TOKEN": TOKEN}
    files = [{"filename": f"f{i}.bin", "size": 4096} for i in range(count)]
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        answer = http.post("/v2/data-collections/1/upload-urls/", json={"files": files})
        answer.raise_for_status()
        return [entry["presigned_url"] for entry in answer.json()["data"]["files"]]


def main(rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as base:
        path = Path(tmp) / "f.bin"
        path.write_bytes(b"x" * 4096)
        http = httpx.Client(timeout=60)
        pool = StoragePool(httpx.Timeout(60), 8)
        results: dict[str, list[float]] = {"httpx": [], "urllib3": []}
        for _ in range(rounds):
            for name in ("httpx", "urllib3"):
                urls = _urls(base, N)
                start = time.process_time()
                for url in urls:
                    put = StoragePut(url, path, 0, 4096, hashlib.md5())
                    if name == "httpx":
                        assert http.send(put.request(http)).status_code == 200
                    else:
                        assert pool.put(put, None).status_code == 200
                results[name].append((time.process_time() - start) / N * 1000)
        a, b = (statistics.median(results[k]) for k in ("httpx", "urllib3"))
        print(f"httpx   {a:.3f} ms CPU/PUT\nurllib3 {b:.3f} ms CPU/PUT\nratio   {a / b:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
