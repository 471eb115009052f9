"""Large file: chunked upload throughput and client memory, against the MD5 floor."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import serve

MiB = 1 << 20
_BLOCK = 8 * MiB


def make_file(path: Path, size: int) -> Path:
    """``size`` bytes of incompressible content (a random block varied per block)."""
    seed = os.urandom(_BLOCK)
    with path.open("wb") as fh:
        written = 0
        n = 0
        while written < size:
            block = n.to_bytes(8, "little") + seed[8:]
            fh.write(block[: size - written])
            written += len(block)
            n += 1
    return path


def md5_rate(path: Path, block: int = 4 * MiB) -> float:
    """Single-core MD5 throughput (MB/s) over the file's bytes, read as the client reads."""
    digest = hashlib.md5(usedforsecurity=False)
    start = time.perf_counter()
    with path.open("rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return path.stat().st_size / 1e6 / (time.perf_counter() - start)


def upload_in_child(url: str, path: Path, chunk_mib: int) -> dict[str, Any]:
    """Upload ``path`` from a fresh process; its timing and memory (see ``_upload_child``)."""
    cmd = [sys.executable, "-m", "bench._upload_child", url, serve.TOKEN, str(path)]
    cmd.append(str(chunk_mib))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=1800)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(
    workdir: Path, *, sizes_mib: tuple[int, ...] = (256, 1024), chunk_mib: int = 50
) -> dict[str, Any]:
    """Upload a file of each size; the largest one sets the headline figures."""
    out: dict[str, Any] = {"chunk_mib": chunk_mib, "sizes": {}}
    storage = workdir / "storage-large"
    for size_mib in sizes_mib:
        path = make_file(workdir / f"large-{size_mib}.bin", size_mib * MiB)
        md5_mbps = max(md5_rate(path) for _ in range(2))  # second pass: file in page cache
        with serve.served(storage) as url:
            child = upload_in_child(url, path, chunk_mib)
            received = serve.counts(url)["bytes_received"]
        path.unlink()
        mbps = size_mib * MiB / 1e6 / child["seconds"]
        out["sizes"][str(size_mib)] = {
            "mb_per_s": round(mbps, 1),
            "md5_mb_per_s": round(md5_mbps, 1),
            "ratio_to_md5": round(mbps / md5_mbps, 3),
            "peak_rss_mib": child["peak_rss_mib"],
            "idle_rss_mib": child["idle_rss_mib"],
            "peak_above_idle_mib": child["peak_above_idle_mib"],
            "bytes_received": received,
        }
    top = out["sizes"][str(max(sizes_mib))]
    out.update({k: top[k] for k in ("mb_per_s", "md5_mb_per_s", "ratio_to_md5")})
    out.update({k: top[k] for k in ("peak_rss_mib", "idle_rss_mib", "peak_above_idle_mib")})
    out["peak_above_idle_in_chunks"] = round(top["peak_above_idle_mib"] / chunk_mib, 2)
    return out
