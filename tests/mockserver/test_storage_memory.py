"""A 256 MiB multipart upload to the embedded store keeps the server's memory flat.

``synapse-mock serve`` in a subprocess; presigned URLs come from ``POST /_mock/storage`` (what
the API handlers call); 4 parts of 64 MiB, all in flight at once (holding them would exceed
the bound; `make bench` measures 1 GiB), each streamed by the client
from a generator (the client holds 1 MiB per part). The server spools each body to disk with
its MD5 computed on the way, and completion makes the parts the object's segments (no copy).
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from mockserver.storage import multipart_etag

from .servers import cli_server, python_m

pytestmark = pytest.mark.slow

MIB = 1 << 20
PART = 64 * MIB
PARTS = 4
BOUND = 100 * MIB


def _block(index: int) -> bytes:
    return bytes((index * 13 + i) % 256 for i in range(256)) * (MIB // 256)


def _body(index: int) -> Iterator[bytes]:
    block = _block(index)
    for _ in range(PART // MIB):
        yield block


def _part_md5(index: int) -> str:
    block, digest = _block(index), hashlib.md5()
    for _ in range(PART // MIB):
        digest.update(block)
    return digest.hexdigest()


@pytest.mark.slow
def test_a_multipart_upload_keeps_server_rss_flat(tmp_path: Path) -> None:
    command = python_m("serve", "--port", "0", "--token", "t", "--storage", str(tmp_path))
    with cli_server(command) as (process, url):
        server = psutil.Process(process.pid)
        with httpx.Client(base_url=url, timeout=300) as api:

            def storage(**payload: Any) -> Any:
                response = api.post("/_mock/storage", json=payload)
                assert response.status_code == 200, response.text
                return response.json()

            # Warm up: one small object through the whole path (imports, first spool file).
            warm = storage(action="presign_put", key="warm-up")["url"]
            assert httpx.put(warm, content=b"warm").status_code == 200
            upload = storage(action="create_multipart_upload", key="big.bin")["upload_id"]
            urls = {
                n: storage(
                    action="presign_upload_part", key="big.bin", upload_id=upload, part_number=n
                )["url"]
                for n in range(1, PARTS + 1)
            }
            baseline = server.memory_info().rss
            peak = baseline
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.wait(0.02):
                    peak = max(peak, server.memory_info().rss)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.monotonic()
            with (
                httpx.Client(timeout=300, limits=httpx.Limits(max_connections=4)) as s3,
                ThreadPoolExecutor(4) as pool,
            ):

                def put(n: int) -> str:
                    response = s3.put(
                        urls[n], content=_body(n), headers={"Content-Length": str(PART)}
                    )
                    assert response.status_code == 200, response.text
                    etag: str = response.headers["etag"]
                    return etag

                etags = dict(zip(urls, pool.map(put, urls), strict=True))
            sent = time.monotonic() - started
            completed = storage(
                action="complete_multipart_upload",
                key="big.bin",
                upload_id=upload,
                parts=[[n, etags[n]] for n in sorted(etags)],
            )
            done.set()
            sampler.join()
            peak = max(peak, server.memory_info().rss)
        growth = peak - baseline
        print(
            f"\nserver RSS growth during a 1 GiB multipart upload (16 x 64 MiB, 4 parallel): "
            f"{growth / MIB:.1f} MiB (sent in {sent:.1f} s)"
        )
        expected = {n: f'"{_part_md5(n)}"' for n in etags}
        assert etags == expected
        assert completed["size"] == PART * PARTS
        assert completed["etag"] == multipart_etag([_part_md5(n) for n in sorted(etags)])
        objects = [p for p in (tmp_path / "s3").rglob("*") if p.is_file()]
        assert sum(p.stat().st_size for p in objects) == PART * PARTS + 4  # no copy made
        assert growth < BOUND
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
