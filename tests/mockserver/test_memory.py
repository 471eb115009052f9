"""A 200 MiB chunked upload through the HTTP server keeps the server's memory flat."""

from __future__ import annotations

import hashlib
import signal
import threading
from pathlib import Path

import httpx
import psutil
import pytest

from .servers import cli_server, python_m

pytestmark = pytest.mark.slow

MIB = 1 << 20
TOTAL = 200 * MIB
CHUNK = 25 * MIB
BOUND = 60 * MIB


def _chunk(index: int, size: int) -> bytes:
    block = bytes((index * 7 + i) % 256 for i in range(256))
    return block * (size // 256)


@pytest.mark.slow
def test_200_mib_chunked_upload_keeps_server_rss_flat(tmp_path: Path) -> None:
    command = python_m("serve", "--port", "0", "--token", "t", "--storage", str(tmp_path))
    with cli_server(command) as (process, url):
        server = psutil.Process(process.pid)
        headers = {"Synapse-Access-Token": "Token t"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            client.get("/data_collections/")  # warm up imports and the validator-free path
            baseline = server.memory_info().rss
            peak = baseline
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.wait(0.05):
                    peak = max(peak, server.memory_info().rss)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            digest = hashlib.md5()
            target = "/chunked_upload/"
            for index, start in enumerate(range(0, TOTAL, CHUNK)):
                data = _chunk(index, min(CHUNK, TOTAL - start))
                digest.update(data)
                response = client.put(
                    target,
                    files={"file": ("file", data)},
                    data={"filename": "big.bin"},
                    headers={"Content-Range": f"bytes {start}-{start + len(data) - 1}/{TOTAL}"},
                )
                assert response.status_code == 200, response.text
                target = response.json()["url"]
                del data
            final = client.post(target, json={"md5": digest.hexdigest()})
            done.set()
            sampler.join()
            peak = max(peak, server.memory_info().rss)
            assert final.status_code == 200
            assert final.json()["size"] == TOTAL
        growth = peak - baseline
        print(f"\nserver RSS growth during a 200 MiB chunked upload: {growth / MIB:.1f} MiB")
        assert growth < BOUND
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
