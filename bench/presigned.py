"""Large file, v2 presigned multipart against v1 chunked upload: same fake, same run.

Three paths per size, alternating: ``v2`` (``upload_file_presigned`` hashing the file beside
the parts: the headline), ``v2-md5`` (the same with the MD5 given, as the ingestion calls it
after its checksum lookup) and ``v1`` (``upload_file(chunked=True)``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import serve
from bench.large_file import make_file

MiB = 1 << 20
PARTS_IN_FLIGHT = 4
APIS = ("v2", "v2-md5", "v1")


def _child(url: str, path: Path, api: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench._presigned_child", url, serve.TOKEN, str(path), api]
    cmd.append(str(PARTS_IN_FLIGHT))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=1800)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(
    workdir: Path, *, sizes_mib: tuple[int, ...] = (256, 1024), reps: int = 2
) -> dict[str, Any]:
    """Both paths per size, alternating (best of ``reps``); the largest size is the headline."""
    out: dict[str, Any] = {"parts_in_flight": PARTS_IN_FLIGHT, "sizes": {}}
    storage = workdir / "storage-presigned"
    for size_mib in sizes_mib:
        path = make_file(workdir / f"presigned-{size_mib}.bin", size_mib * MiB)
        runs: dict[str, list[dict[str, Any]]] = {api: [] for api in APIS}
        with serve.served(storage) as url:
            for _ in range(reps):
                for api in APIS:
                    runs[api].append(_child(url, path, api))
                    serve.reset(url)
        path.unlink()
        row: dict[str, Any] = {}
        for api, results in runs.items():
            best = min(results, key=lambda r: r["seconds"])
            row[api] = {
                "mb_per_s": round(size_mib * MiB / 1e6 / best["seconds"], 1),
                "cpu_s_per_gib": round(best["cpu_seconds"] * 1024 / size_mib, 2),
                "peak_above_idle_mib": max(r["peak_above_idle_mib"] for r in results),
            }
        row["throughput_ratio"] = round(row["v2"]["mb_per_s"] / row["v1"]["mb_per_s"], 2)
        row["throughput_ratio_md5_known"] = round(
            row["v2-md5"]["mb_per_s"] / row["v1"]["mb_per_s"], 2
        )
        out["sizes"][str(size_mib)] = row
    top = out["sizes"][str(max(sizes_mib))]
    out["throughput_ratio"] = top["throughput_ratio"]
    out["throughput_ratio_md5_known"] = top["throughput_ratio_md5_known"]
    out["v2_mb_per_s"] = top["v2"]["mb_per_s"]
    out["v2_md5_known_mb_per_s"] = top["v2-md5"]["mb_per_s"]
    out["v1_mb_per_s"] = top["v1"]["mb_per_s"]
    out["v2_peak_above_idle_mib"] = max(
        row[api]["peak_above_idle_mib"] for row in out["sizes"].values() for api in ("v2", "v2-md5")
    )
    return out
