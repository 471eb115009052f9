"""Latency sweep: small files at each side of a slow link, with the defaults users live with.

``python -m bench.latency [--files N] [--reps R] [--latency MS ...] [--ceiling N ...]``: the
fake over HTTP (``bench.serve``, its ``--latency-ms`` on every API and storage answer), 1,000
x 4 KiB PNGs into collection 1 over v2 through our typed ``upload_data_collection`` and the
product page's ``BackendClient.upload_data_collection``, each with its defaults, one fresh
child process per run (``bench/_sweep_child.py``), the fake reset and a fresh journal before
each. Runs are interleaved (the order of the paths reverses every repetition); medians.

Beside files/s, what the link allows: the in-flight count divided by the round trip (the
added latency, a lower bound of the real one) and by the requests each file costs, for the
ceiling (``ceiling_bound``) and for the mean count of requests really in flight
(``in_flight_bound``); and the limit the client reached (``ConcurrencyStats.peak``,
``final``). Client and fake run on different cores where ``taskset`` exists.
``--ceiling``: the typed path as if the default ceiling (and pool) were N, to choose it.
``--before DIR``: also both paths with the package found in DIR (an export of an earlier
commit, put first on ``PYTHONPATH``), interleaved with the others.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import serve
from bench.vendor import make_pngs

LATENCIES = (10, 50, 100, 200)
PATHS = ("typed", "facade")
CHILD = Path(__file__).with_name("_sweep_child.py")
ROOT = Path(__file__).resolve().parents[1]


Arm = tuple[str, int | None, str | None]
"""An arm of the sweep: path (``typed``/``facade``), ceiling (None: the default), code dir."""


def _child(url: str, folder: Path, journal: Path, arm: Arm) -> Any:
    path, ceiling, code = arm
    cmd = [sys.executable, str(CHILD), url, serve.TOKEN, str(folder), str(journal), path]
    if ceiling is not None:
        cmd.append(str(ceiling))
    env = None
    if code is not None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([code, os.environ.get("PYTHONPATH", "")]),
        }
    pinned = serve.pinned(cmd, serve.CLIENT_CORE)
    out = subprocess.run(pinned, capture_output=True, text=True, timeout=1800, cwd=ROOT, env=env)
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{path} failed: {tail[0]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _arms(ceilings: list[int] | None, before: str | None) -> dict[str, Arm]:
    if ceilings:
        return {f"typed-{c}": ("typed", c, None) for c in ceilings}
    arms: dict[str, Arm] = {path: (path, None, None) for path in PATHS}
    if before is not None:
        arms |= {f"{path}-before": (path, None, before) for path in PATHS}
    return arms


def _summary(runs: list[dict[str, Any]], latency_ms: int) -> dict[str, Any]:
    """The median run's figures (by seconds) and the bounds of the link."""
    median_s = statistics.median(r["seconds"] for r in runs)
    files = runs[0]["files"]
    per_file = statistics.median(r["requests"] for r in runs) / files
    rtt = latency_ms / 1000
    in_flight = statistics.median(r["mean_in_flight"] for r in runs)
    ceiling = runs[0]["concurrency"]["ceiling"]
    return {
        "files_per_s": round(files / median_s, 1),
        "seconds": round(median_s, 3),
        "cpu_ms_per_file": round(statistics.median(r["cpu_s"] for r in runs) / files * 1000, 3),
        "requests_per_file": round(per_file, 3),
        "mean_in_flight": round(in_flight, 1),
        "peak_in_flight": max(r["peak_in_flight"] for r in runs),
        "ceiling": ceiling,
        "ceiling_bound_files_per_s": round(ceiling / rtt / per_file, 1) if rtt else None,
        "in_flight_bound_files_per_s": round(in_flight / rtt / per_file, 1) if rtt else None,
        "peaks": [r["concurrency"]["peak"] for r in runs],
        "finals": [r["concurrency"]["final"] for r in runs],
        "decreases": [r["concurrency"]["decreases"] for r in runs],
    }


def sweep(
    workdir: Path,
    *,
    files: int = 1000,
    reps: int = 3,
    latencies: tuple[int, ...] = LATENCIES,
    ceilings: list[int] | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """Every arm at every latency (one fake, reset before each run); medians of ``reps``."""
    arms = _arms(ceilings, before)
    pngs = make_pngs(workdir / "sweep-png", files)
    journals = workdir / "sweep-journals"
    journals.mkdir(exist_ok=True)
    out: dict[str, Any] = {
        "files": files,
        "file_size": 4096,
        "reps": reps,
        "api": "v2",
        "pinning": serve.pinning(),
        "by_latency": {},
    }
    start = time.perf_counter()
    with serve.served(workdir / "storage-sweep", pin=True) as url:
        for latency in latencies:
            serve.set_latency(url, latency)
            runs: dict[str, list[dict[str, Any]]] = {arm: [] for arm in arms}
            for rep in range(reps):
                for arm in list(arms) if rep % 2 == 0 else list(reversed(arms)):
                    print(f"  latency sweep: {arm}, {latency} ms, run {rep + 1}", flush=True)
                    serve.reset(url)
                    journal = journals / f"{arm}-{time.monotonic_ns()}.sqlite3"
                    runs[arm].append(_child(url, pngs, journal, arms[arm]))
            out["by_latency"][str(latency)] = {
                arm: _summary(rs, latency) for arm, rs in runs.items()
            }
    out["seconds_total"] = round(time.perf_counter() - start, 1)
    return out


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """The sweep as ``python -m bench`` runs it (``quick``: 200 files, 2 runs, 2 latencies)."""
    if quick:
        return sweep(workdir, files=200, reps=2, latencies=(10, 100))
    return sweep(workdir)


def table_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for the tables: files/s, what ceiling and in-flight count allow, the limits."""
    rows = [
        (
            f"latency sweep: {result['files']} x 4 KiB, v2, defaults ({result['pinning']})",
            "files/s | ceiling/RTT | in-flight/RTT | peak, final limit",
        )
    ]
    for latency, arms in result["by_latency"].items():
        for arm, fig in arms.items():
            rows.append(
                (
                    f"  {arm}, {latency} ms (mean {fig['mean_in_flight']} in flight, "
                    f"{fig['requests_per_file']} requests/file)",
                    f"{fig['files_per_s']} | {fig['ceiling_bound_files_per_s']} | "
                    f"{fig['in_flight_bound_files_per_s']} | peaks {fig['peaks']}, "
                    f"finals {fig['finals']} of {fig['ceiling']}",
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--latency", type=int, nargs="*", default=list(LATENCIES))
    parser.add_argument("--ceiling", type=int, nargs="*", default=None)
    parser.add_argument("--before", default=None, help="also the code in this folder")
    parser.add_argument("--json", default=None, help="also write the result to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synapse-sweep-") as tmp:
        result = sweep(
            Path(tmp),
            files=args.files,
            reps=args.reps,
            latencies=tuple(args.latency),
            ceilings=args.ceiling,
            before=args.before,
        )
    rows = table_rows(result)
    width = max(len(label) for label, _ in rows)
    print("\n".join(f"{label:<{width}}  {value}" for label, value in rows))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
