"""Fixed 8 workers vs adaptive concurrency (ceiling 32) for small files, per latency.

``python -m bench.adaptive [--files N] [--reps R]``: the fake over HTTP (``bench.serve``), the
same small files through both arms, interleaved (the order reverses every repetition), the
fake reset and a fresh journal before each run; medians of files/s and their ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import serve
from bench.small_files import _groups, make_files
from synapse_ext import SynapseClient
from synapse_ext.ingest import upload_data_collection

ARMS: dict[str, dict[str, Any]] = {
    "fixed-8": {"max_workers": 8, "adaptive": False},
    "adaptive-32": {"max_workers": 32, "adaptive": True},
}


def _once(url: str, paths: list[Path], journal: Path, options: dict[str, Any]) -> tuple[float, Any]:
    with SynapseClient(url, serve.TOKEN, max_connections=32) as client:
        start = time.perf_counter()
        result = upload_data_collection(
            client, 1, _groups(paths), journal=journal, api="v2", **options
        )
        seconds = time.perf_counter() - start
    if not result.success or result.files_uploaded != len(paths):
        raise RuntimeError(f"ingestion incomplete: {result.to_dict()}")
    return seconds, result


def compare(workdir: Path, n: int, latency_ms: int, reps: int = 3) -> dict[str, Any]:
    """Both arms of :data:`ARMS` on one server with ``latency_ms``; medians of ``reps``."""
    paths = make_files(workdir / f"files-{latency_ms}", n, tag=f"adaptive{latency_ms}")
    runs: dict[str, list[float]] = {arm: [] for arm in ARMS}
    peaks: list[int] = []
    with serve.served(workdir / f"storage-{latency_ms}", latency_ms=latency_ms) as url:
        for rep in range(reps):
            for arm in list(ARMS) if rep % 2 == 0 else list(reversed(ARMS)):
                serve.reset(url)
                journal = workdir / f"journal-{latency_ms}-{arm}-{rep}.sqlite3"
                seconds, result = _once(url, paths, journal, ARMS[arm])
                runs[arm].append(seconds)
                if result.concurrency is not None:
                    peaks.append(result.concurrency.peak)
    rates = {arm: n / statistics.median(times) for arm, times in runs.items()}
    return {
        "files": n,
        "latency_ms": latency_ms,
        "reps": reps,
        "fixed_files_per_s": round(rates["fixed-8"], 1),
        "adaptive_files_per_s": round(rates["adaptive-32"], 1),
        "ratio": round(rates["adaptive-32"] / rates["fixed-8"], 2),
        "adaptive_peaks": peaks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.adaptive", description=__doc__)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--latency", type=int, nargs="*", default=[0, 50])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for latency in args.latency:
            print(json.dumps(compare(Path(tmp), args.files, latency, args.reps)), flush=True)


if __name__ == "__main__":
    main()
