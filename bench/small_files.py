"""Many small files: ``upload_data_collection`` against the product page's workflow loop."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bench import serve
from synapse_ext import BackendClient, SynapseClient
from synapse_ext.ingest import upload_data_collection
from synapse_ext.ingest.run import ApiChoice

FILE_SIZE = 4096
BASELINE_BATCH = 10  # units per create_data_units call on the product page
WORKERS = 16  # upload concurrency (and connection-pool size) of the SDK runs
BATCH_SIZE = 200  # units per unit-creation request (the ingestion's default), v1 and v2


def make_files(root: Path, n: int, *, tag: str = "") -> list[Path]:
    """``n`` distinct 4 KiB ``.jpg`` files under ``root/image``."""
    folder = root / "image"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"img{i:06d}.jpg"
        head = f"{tag}file {i} ".encode()
        path.write_bytes(head + bytes(FILE_SIZE - len(head)))
        paths.append(path)
    return paths


def _groups(paths: list[Path]) -> list[dict[str, Any]]:
    return [
        {"files": {"image": p}, "meta": {"origin_file_stem": p.stem, "sequence": i}}
        for i, p in enumerate(paths)
    ]


def ingest(
    url: str, paths: list[Path], journal: Path, *, api: ApiChoice = "v1", **options: Any
) -> tuple[float, Any]:
    """Seconds and result of one ``upload_data_collection`` (tasks for project 1)."""
    with SynapseClient(url, serve.TOKEN, max_connections=WORKERS) as client:
        start = time.perf_counter()
        result = upload_data_collection(
            client,
            1,
            _groups(paths),
            project_id=1,
            journal=journal,
            max_workers=WORKERS,
            batch_size=BATCH_SIZE,
            api=api,
            **options,
        )
        seconds = time.perf_counter() - start
    if not result.success:
        raise RuntimeError(f"ingestion failed: {result.to_dict()}")
    return seconds, result


def baseline(url: str, paths: list[Path]) -> float:
    """Seconds of the product page's "Complete Workflow Example" loop over ``paths``."""
    with BackendClient(url, api_token=serve.TOKEN) as client:
        start = time.perf_counter()
        uploaded = []
        for i, path in enumerate(paths):
            client.create_data_file(path)
            organized = {
                "files": {"image": path},
                "meta": {"origin_file_stem": path.stem, "sequence": i, "batch": "batch_001"},
            }
            uploaded.append(client.upload_data_file(organized, 1))
        for i in range(0, len(uploaded), BASELINE_BATCH):
            client.create_data_units(uploaded[i : i + BASELINE_BATCH])
        return time.perf_counter() - start


def compare(
    workdir: Path, n: int, latency_ms: int, baseline_n: int | None = None
) -> dict[str, Any]:
    """SDK vs baseline on one server with ``latency_ms``; fresh files for each side."""
    baseline_n = baseline_n or n
    sdk_paths = make_files(workdir / f"sdk-{latency_ms}", n, tag="sdk")
    base_paths = make_files(workdir / f"base-{latency_ms}", baseline_n, tag="base")
    with serve.served(workdir / f"storage-{latency_ms}", latency_ms=latency_ms) as url:
        seconds, _ = ingest(url, sdk_paths, workdir / f"journal-{latency_ms}.sqlite3")
        base_seconds = baseline(url, base_paths)
    sdk_rate = n / seconds
    base_rate = baseline_n / base_seconds
    return {
        "files": n,
        "seconds": round(seconds, 2),
        "files_per_s": round(sdk_rate, 1),
        "baseline_files": baseline_n,
        "baseline_seconds": round(base_seconds, 2),
        "baseline_files_per_s": round(base_rate, 1),
        "speedup": round(sdk_rate / base_rate, 2),
    }


def rerun(workdir: Path, n: int) -> dict[str, Any]:
    """The same ingestion twice on one server: the second must be cheap and send nothing."""
    paths = make_files(workdir / "rerun", n, tag="rerun")
    journal = workdir / "journal-rerun.sqlite3"
    with serve.served(workdir / "storage-rerun") as url:
        first, _ = ingest(url, paths, journal)
        before = serve.counts(url)["bytes_received"]
        second, result = ingest(url, paths, journal)
        sent = serve.counts(url)["bytes_received"] - before
    return {
        "files": n,
        "first_seconds": round(first, 3),
        "second_seconds": round(second, 3),
        "ratio_to_first": round(second / first, 4),
        "file_bytes_sent": sent,
        "units_already_present": result.units_already_present,
    }


def scaling(workdir: Path, counts: tuple[int, ...]) -> dict[str, Any]:
    """Time per file (no latency, fresh server per size) at each file count."""
    per_file: dict[str, float] = {}
    for n in counts:
        paths = make_files(workdir / f"scale-{n}", n, tag=f"scale{n}")
        with serve.served(workdir / f"storage-scale-{n}") as url:
            seconds, _ = ingest(url, paths, workdir / f"journal-scale-{n}.sqlite3")
        per_file[str(n)] = round(seconds / n * 1000, 3)
    values = list(per_file.values())
    return {"per_file_ms": per_file, "max_over_min": round(max(values) / min(values), 2)}


ARMS: dict[str, tuple[ApiChoice, dict[str, Any]]] = {
    "v1": ("v1", {}),
    "v2": ("v2", {}),
    "v2-lookup-all": ("v2", {"lookup_threshold": 0}),
}
"""The runs of :func:`v1_vs_v2`: v1, v2 as shipped (small files without a lookup) and v2
looking every file up first (``lookup_threshold=0``, the behaviour before it existed)."""


def v1_vs_v2(workdir: Path, n: int, latency_ms: int, reps: int = 2) -> dict[str, Any]:
    """The same ``n`` files through every arm of :data:`ARMS` on one server (latency on
    the API and the storage origin alike), interleaved (the order reverses every
    repetition), the fake reset and a fresh journal before each run; medians."""
    paths = make_files(workdir / f"v1v2-{latency_ms}", n, tag="v1v2")
    runs: dict[str, list[float]] = {arm: [] for arm in ARMS}
    with serve.served(workdir / f"storage-v1v2-{latency_ms}", latency_ms=latency_ms) as url:
        for rep in range(reps):
            order = list(ARMS) if rep % 2 == 0 else list(reversed(ARMS))
            for arm in order:
                api, options = ARMS[arm]
                serve.reset(url)
                journal = workdir / f"journal-v1v2-{latency_ms}-{arm}-{rep}.sqlite3"
                seconds, result = ingest(url, paths, journal, api=api, **options)
                if result.api != api or result.files_uploaded != n:
                    raise RuntimeError(f"{api} run did not upload every file: {result.to_dict()}")
                runs[arm].append(seconds)
    medians = {api: statistics.median(times) for api, times in runs.items()}
    rates = {api: n / seconds for api, seconds in medians.items()}
    return {
        "files": n,
        "latency_ms": latency_ms,
        "workers": WORKERS,
        "batch_size": BATCH_SIZE,
        "reps": reps,
        "v1_files_per_s": round(rates["v1"], 1),
        "v2_files_per_s": round(rates["v2"], 1),
        "v2_lookup_all_files_per_s": round(rates["v2-lookup-all"], 1),
        "v1_seconds": [round(t, 2) for t in runs["v1"]],
        "v2_seconds": [round(t, 2) for t in runs["v2"]],
        "v2_lookup_all_seconds": [round(t, 2) for t in runs["v2-lookup-all"]],
        "ratio": round(rates["v2"] / rates["v1"], 2),
        "ratio_lookup_all": round(rates["v2-lookup-all"] / rates["v1"], 2),
    }
