"""``python -m bench``: run every benchmark, print the table, write ``bench/results.json``."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from bench import (
    distributed,
    fake_overhead,
    large_file,
    latency,
    machine,
    presigned,
    small_files,
    vendor,
)

RESULTS = Path(__file__).with_name("results.json")
TARGETS = {
    "large_file.ratio_to_md5": (">=", 0.5),
    "large_file.peak_above_idle_in_chunks": ("<", 3.0),
    "small_files.speedup": (">=", 15.0),
    "small_files.speedup_no_latency": (">=", 3.0),
    "scaling.max_over_min": ("<", 1.5),
    "rerun.ratio_to_first": ("<", 0.05),
    "rerun.file_bytes_sent": ("==", 0),
    "presigned.throughput_ratio": (">=", 2.0),
    "presigned.v2_peak_above_idle_mib": ("<=", 100.0),
    "distributed.speedup": (">=", 1.6),
    "presigned.small_files_ratio": (">=", 1.5),
}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--workdir", default=None, help="scratch folder (default: a temp dir)")
    parser.add_argument(
        "--no-vendor", action="store_true", help="skip the head-to-head with the vendor's client"
    )
    parser.add_argument(
        "--only-vendor", action="store_true", help="run only the head-to-head (merged into results)"
    )
    parser.add_argument(
        "--only-latency",
        action="store_true",
        help="run only the latency sweep (merged into results)",
    )
    parser.add_argument(
        "--only-distributed",
        action="store_true",
        help="run only the Dask benchmarks (merged into results)",
    )
    return parser.parse_args()


def _run(workdir: Path, quick: bool, with_vendor: bool) -> dict[str, Any]:
    n = 200 if quick else 2000
    sizes = (16, 64) if quick else (256, 1024)
    scale = (100, 200, 400) if quick else (500, 2000, 8000)
    results: dict[str, Any] = {"machine": machine.describe()}
    print("large file ...", flush=True)
    results["large_file"] = large_file.run(workdir, sizes_mib=sizes)
    print("large file, v2 presigned vs v1 chunked ...", flush=True)
    results["presigned"] = presigned.run(workdir, sizes_mib=sizes)
    print("small files, v2 vs v1 ingestion, 20 ms latency ...", flush=True)
    v1v2 = small_files.v1_vs_v2(workdir, n, 20)
    results["presigned"]["small_files"] = v1v2
    results["presigned"]["small_files_ratio"] = v1v2["ratio"]
    print("small files, 20 ms latency ...", flush=True)
    slow = small_files.compare(workdir, n, 20)
    print("small files, no latency ...", flush=True)
    fast = small_files.compare(workdir, n, 0)
    results["small_files"] = {
        **slow,
        "latency_ms": 20,
        "workers": small_files.WORKERS,
        "files_per_s_no_latency": fast["files_per_s"],
        "baseline_files_per_s_no_latency": fast["baseline_files_per_s"],
        "speedup_no_latency": fast["speedup"],
    }
    print("scaling ...", flush=True)
    results["scaling"] = small_files.scaling(workdir, scale)
    print("re-run ...", flush=True)
    results["rerun"] = small_files.rerun(workdir, n)
    print("fake overhead ...", flush=True)
    results["fake"] = fake_overhead.run(workdir, 300 if quick else 2000)
    results["distributed"] = _distributed(workdir, quick)
    print("latency sweep, 10 to 200 ms, defaults ...", flush=True)
    results["latency_sweep"] = latency.run(workdir, quick)
    results["targets"] = _verdicts(results)
    if with_vendor:
        print("vs vendor's client ...", flush=True)
        results["vs_vendor"] = vendor.run(workdir, quick)
    return results


def _get(results: dict[str, Any], dotted: str) -> Any:
    value: Any = results
    for part in dotted.split("."):
        value = value[part]
    return value


def _verdicts(results: dict[str, Any]) -> dict[str, Any]:
    ops = {">=": float.__ge__, "<": float.__lt__, "<=": float.__le__, "==": float.__eq__}
    out = {}
    for key, (op, target) in TARGETS.items():
        value = float(_get(results, key))
        out[key] = {"value": value, "target": f"{op} {target}", "met": ops[op](value, target)}
    return out


def _pair(rates: dict[str, float]) -> str:
    return f"{rates['get_per_s']} | {rates['upload_4k_per_s']}"


def _table(results: dict[str, Any]) -> str:
    lf, sf, sc = results["large_file"], results["small_files"], results["scaling"]
    rr, fk, m = results["rerun"], results["fake"], results["machine"]
    rows = [
        ("large file MB/s (largest size, 50 MiB chunks)", f"{lf['mb_per_s']}"),
        ("single-core MD5 MB/s (same bytes)", f"{lf['md5_mb_per_s']}"),
        ("upload / MD5 ratio", f"{lf['ratio_to_md5']}"),
        ("client peak RSS above idle, MiB", f"{lf['peak_above_idle_mib']}"),
    ]
    for size, row in lf["sizes"].items():
        label = f"  {size} MiB: MB/s, peak above idle MiB"
        rows.append((label, f"{row['mb_per_s']}, {row['peak_above_idle_mib']}"))
    ps = results["presigned"]
    for size, row in ps["sizes"].items():
        rows.append(
            (
                f"  {size} MiB v2 multipart ({ps['parts_in_flight']} parts) / v1 chunked MB/s",
                f"{row['v2']['mb_per_s']} / {row['v1']['mb_per_s']} = {row['throughput_ratio']}x",
            )
        )
        rows.append(
            (
                "    v2 with the MD5 given (as the ingestion) / v1 chunked MB/s",
                f"{row['v2-md5']['mb_per_s']} / {row['v1']['mb_per_s']} = "
                f"{row['throughput_ratio_md5_known']}x",
            )
        )
        rows.append(
            (
                "    client CPU s/GiB, peak above idle MiB (v2 | v2-md5 | v1)",
                " | ".join(
                    f"{row[api]['cpu_s_per_gib']}, {row[api]['peak_above_idle_mib']}"
                    for api in ("v2", "v2-md5", "v1")
                ),
            )
        )
    v1v2 = ps["small_files"]
    rows.append(
        (
            f"small files/s, {v1v2['files']} x 4 KiB, {v1v2['latency_ms']} ms: v2 / v1 ingestion",
            f"{v1v2['v2_files_per_s']} / {v1v2['v1_files_per_s']} = {v1v2['ratio']}x",
        )
    )
    if "ratio_lookup_all" in v1v2:
        rows.append(
            (
                "  v2 looking every file up (lookup_threshold=0) / v1",
                f"{v1v2['v2_lookup_all_files_per_s']} / {v1v2['v1_files_per_s']} = "
                f"{v1v2['ratio_lookup_all']}x",
            )
        )
    rows += [
        (f"small files/s, {sf['files']} x 4 KiB, 20 ms", f"{sf['files_per_s']}"),
        ("  baseline files/s (product page loop)", f"{sf['baseline_files_per_s']}"),
        ("  speedup at 20 ms", f"{sf['speedup']}x"),
        ("small files/s, no latency", f"{sf['files_per_s_no_latency']}"),
        ("  baseline files/s, no latency", f"{sf['baseline_files_per_s_no_latency']}"),
        ("  speedup, no latency", f"{sf['speedup_no_latency']}x"),
    ]
    rows += [(f"scaling: ms per file at {n}", f"{v}") for n, v in sc["per_file_ms"].items()]
    rows += [
        ("re-run time / first run", f"{rr['ratio_to_first']}"),
        ("re-run file bytes sent", f"{rr['file_bytes_sent']}"),
        ("fake respx GET/s | 4 KiB upload/s", _pair(fk["respx"])),
        ("fake HTTP GET/s | 4 KiB upload/s", _pair(fk["http"])),
    ]
    ds = results["distributed"]
    rows += [
        (
            f"Dask shards, {ds['files']} x 4 KiB, {ds['latency_ms']} ms: files/s 1 | 2 processes",
            f"{ds['one_process_files_per_s']} | {ds['two_processes_files_per_s']}"
            f" = {ds['speedup']}x",
        ),
        ("  storage PUT at that latency, ms", f"{ds['storage_put_ms']}"),
        (
            "  driver listing + planning MiB per 10k files (at "
            + ", ".join(ds["mib_per_10k_files"])
            + ")",
            ", ".join(str(v) for v in ds["mib_per_10k_files"].values()),
        ),
    ]
    if "latency_sweep" in results:
        rows += latency.table_rows(results["latency_sweep"])
    if "vs_vendor" in results:
        rows += vendor.table_rows(results["vs_vendor"])
    width = max(len(r[0]) for r in rows)
    lines = [f"{m['cpu_model']}, {m['cores']} cores, Python {m['python']}, {m['date']}", ""]
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    lines.append("")
    for key, verdict in results["targets"].items():
        mark = "met" if verdict["met"] else "NOT met"
        lines.append(f"{key:<{width}}  {verdict['value']} (target {verdict['target']}): {mark}")
    return "\n".join(lines)


def _distributed(workdir: Path, quick: bool) -> dict[str, Any]:
    print("sharded on Dask, 1 vs 2 worker processes, 20 ms latency ...", flush=True)
    return {
        **distributed.throughput(workdir, 400 if quick else 4000),
        **distributed.driver_memory(workdir, (400, 1600) if quick else (4000, 16000, 64000)),
    }


def _only_distributed(workdir: Path, quick: bool) -> None:
    """The Dask benchmarks alone, merged into an existing ``results.json`` (if any)."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["distributed"] = _distributed(workdir, quick)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["distributed"], indent=2))
    print(f"\nwrote {RESULTS.name} (distributed)")


def _only_vendor(workdir: Path, quick: bool) -> None:
    """The head-to-head alone, merged into an existing ``results.json`` (if any)."""
    print("vs vendor's client ...", flush=True)
    result = vendor.run(workdir, quick)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["vs_vendor"] = result
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(f"{label}  {value}" for label, value in vendor.table_rows(result)))
    print(f"\nwrote {RESULTS.name} (vs_vendor)")


def _only_latency(workdir: Path, quick: bool) -> None:
    """The latency sweep alone, merged into an existing ``results.json`` (if any)."""
    print("latency sweep, 10 to 200 ms, defaults ...", flush=True)
    result = latency.run(workdir, quick)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["latency_sweep"] = result
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(f"{label}  {value}" for label, value in latency.table_rows(result)))
    print(f"\nwrote {RESULTS.name} (latency_sweep)")


def _main(workdir: Path, args: argparse.Namespace) -> None:
    if args.only_latency:
        _only_latency(workdir, args.quick)
        return
    if args.only_vendor:
        _only_vendor(workdir, args.quick)
        return
    if args.only_distributed:
        _only_distributed(workdir, args.quick)
        return
    results = _run(workdir, args.quick, not args.no_vendor)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(_table(results))
    print(f"\nwrote {RESULTS.name}")


def main() -> None:
    args = _args()
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        _main(workdir, args)
    else:
        with tempfile.TemporaryDirectory(prefix="synapse-bench-") as tmp:
            _main(Path(tmp), args)


if __name__ == "__main__":
    main()
