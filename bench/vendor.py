"""Head-to-head with the vendor's client (``synapse-sdk`` on PyPI) against one fake.

The vendor's package goes into its own venv (``.cache/vendor-venv``, Python 3.12, reused when
already there); nothing of it enters the project. Each job runs in a fresh child process
(``bench/_h2h_child.py``), ours with this interpreter and the vendor's with the venv's, so
both CPU figures are of a client process alone. One fake serves every run; it is reset
before each run, and the two sides alternate (who goes first flips every repetition). Where
``taskset`` exists, the client processes run on one core and the fake on another.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import serve
from bench.large_file import MiB, make_file

PACKAGE, VERSION = "synapse-sdk", "2026.2.17"
ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".cache" / "vendor-venv"
CHILD = Path(__file__).with_name("_h2h_child.py")
LATENCIES = (0, 20, 100)
WORKERS, BATCH = 10, 100  # the equal settings of the "small" scenario
API = "v1"  # ... and the same protocol: the vendor's client speaks v1 only (ours' default: auto)
PNG_HEAD = b"\x89PNG\r\n\x1a\n"  # the vendor's client refuses a .png whose bytes are not PNG


class Skipped(Exception):
    """The comparison cannot run here; the message says why."""


def _runs(python: str, env: dict[str, str] | None = None) -> bool:
    try:
        cmd = [python, "-c", "import sys; assert sys.version_info[:2] == (3, 12)"]
        subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def _python312() -> tuple[str, dict[str, str] | None]:
    found = shutil.which("python3.12")
    if found is None:
        raise Skipped("no python3.12 on PATH (the vendor's package needs Python >= 3.12)")
    if _runs(found):
        return found, None
    # A pyenv shim is on PATH but 3.12 is not the selected version: select it for this call.
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for version in sorted((pyenv_root / "versions").glob("3.12*"), reverse=True):
        env = {**os.environ, "PYENV_VERSION": version.name}
        if _runs(found, env):
            return found, env
    raise Skipped(f"{found} does not run")


def _installed(python: Path) -> bool:
    probe = (
        f"import importlib.metadata as m, synapse_sdk; assert m.version({PACKAGE!r}) == {VERSION!r}"
    )
    cmd = [str(python), "-c", probe]
    return subprocess.run(cmd, capture_output=True, timeout=120).returncode == 0


def vendor_python() -> Path:
    """The vendor venv's interpreter, creating the venv and installing the package if needed."""
    python = VENV / "bin" / "python"
    if python.exists() and _installed(python):
        return python
    base, env = _python312()
    try:
        subprocess.run([base, "-m", "venv", "--clear", str(VENV)], check=True, env=env,
                       capture_output=True, timeout=300)  # fmt: skip
        cmd = [str(python), "-m", "pip", "install", "-q", f"{PACKAGE}=={VERSION}"]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=900)
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise Skipped(f"installing {PACKAGE}=={VERSION} failed: {tail[0]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise Skipped(f"installing {PACKAGE}=={VERSION} timed out") from exc
    if not _installed(python):
        raise Skipped(f"{PACKAGE}=={VERSION} not importable after install")
    return python


def make_pngs(folder: Path, n: int) -> Path:
    """``n`` distinct 4 KiB files named ``*.png`` that start with the PNG signature."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        head = PNG_HEAD + f"h2h file {i} ".encode()
        (folder / f"img{i:06d}.png").write_bytes(head + bytes(4096 - len(head)))
    return folder


def _child(python: Path, side: str, url: str, job: list[str]) -> dict[str, Any]:
    cmd = serve.pinned([str(python), str(CHILD), side, url, serve.TOKEN, *job], serve.CLIENT_CORE)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT)
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{side} {job[0]} failed: {tail[0]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _scenario(
    url: str, pythons: dict[str, Path], job: list[str], reps: int, journals: Path
) -> dict[str, dict[str, float]]:
    """Medians of ``seconds`` and ``cpu_s`` per side over ``reps`` alternating runs."""
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "vendor": []}
    for rep in range(reps):
        order = ("ours", "vendor") if rep % 2 == 0 else ("vendor", "ours")
        for side in order:
            serve.reset(url)
            args = list(job)
            if args[0] == "small":  # ours: a fresh journal file per run (the fake was reset)
                journal = journals / f"{side}-{time.monotonic_ns()}.sqlite3"
                args.insert(2, str(journal))
            runs[side].append(_child(pythons[side], side, url, args))
    return {
        side: {
            "seconds": round(statistics.median(r["seconds"] for r in rs), 4),
            "cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 4),
        }
        for side, rs in runs.items()
    }


def _figures(medians: dict[str, dict[str, float]], job: str, amount: float) -> dict[str, Any]:
    """Per side: rate and CPU per GiB (large, ``amount`` MiB) or per file (small, ``amount``
    files); and the ratios ours / vendor (throughput: higher is better; CPU: lower)."""
    out: dict[str, Any] = {}
    for side, m in medians.items():
        if job == "large":
            rate = {"mb_per_s": round(amount * MiB / 1e6 / m["seconds"], 1)}
            cpu = {"cpu_s_per_gib": round(m["cpu_s"] / (amount / 1024), 3)}
        else:
            rate = {"files_per_s": round(amount / m["seconds"], 1)}
            cpu = {"cpu_ms_per_file": round(m["cpu_s"] / amount * 1000, 4)}
        out[side] = {**m, **rate, **cpu}
    ours, vendor = medians["ours"], medians["vendor"]
    out["throughput_ratio"] = round(vendor["seconds"] / ours["seconds"], 3)
    out["cpu_ratio"] = round(ours["cpu_s"] / vendor["cpu_s"], 3)
    return out


def compare(workdir: Path, *, large_mib: int, files: int, reps: int) -> dict[str, Any]:
    """Every scenario at every latency; raises :class:`Skipped` when the vendor cannot run."""
    pythons = {"ours": Path(sys.executable), "vendor": vendor_python()}
    big = make_file(workdir / f"h2h-large-{large_mib}.bin", large_mib * MiB)
    pngs = make_pngs(workdir / "h2h-png", files)
    journals = workdir / "h2h-journals"
    journals.mkdir(exist_ok=True)
    scenarios = {
        "large": (["large", str(big)], large_mib),
        "small": (["small", str(pngs), str(WORKERS), str(BATCH), API], files),
        "small_defaults": (["small", str(pngs)], files),
    }
    out: dict[str, Any] = {
        "vendor": f"{PACKAGE} {VERSION}",
        "reps": reps,
        "large_mib": large_mib,
        "files": files,
        "small_settings": {"max_workers": WORKERS, "batch_size": BATCH, "api": API},
        "small_defaults_settings": {"api": "ours: auto (v2 against the fake); vendor: v1"},
        "pinning": serve.pinning(),
    }
    for name in scenarios:
        out[name] = {"throughput_ratio": {}, "cpu_ratio": {}, "by_latency": {}}
    start = time.perf_counter()
    with serve.served(workdir / "storage-h2h", pin=True) as url:
        for latency in LATENCIES:
            serve.set_latency(url, latency)
            for name, (job, amount) in scenarios.items():
                print(f"  vs vendor: {name}, {latency} ms ...", flush=True)
                medians = _scenario(url, pythons, job, reps, journals)
                fig = _figures(medians, job[0], amount)
                key = str(latency)
                out[name]["throughput_ratio"][key] = fig.pop("throughput_ratio")
                out[name]["cpu_ratio"][key] = fig.pop("cpu_ratio")
                out[name]["by_latency"][key] = fig
    big.unlink()
    out["seconds_total"] = round(time.perf_counter() - start, 1)
    return out


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """The head-to-head, or ``{"skipped": reason}`` (printed as one line)."""
    sizes = {"large_mib": 32, "files": 200, "reps": 2} if quick else {}
    try:
        return compare(workdir, **{"large_mib": 256, "files": 1000, "reps": 3, **sizes})
    except (Skipped, RuntimeError) as exc:
        print(f"vs vendor: comparison skipped: {exc}", flush=True)
        return {"skipped": str(exc)}


def table_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for ``python -m bench``'s table: ours vs vendor, then the ratio ours / vendor."""
    if "skipped" in result:
        return [("vs vendor", f"skipped: {result['skipped']}")]
    labels = {
        "large": f"{result['large_mib']} MiB chunked upload",
        "small": f"{result['files']} x 4 KiB, {WORKERS} workers, batch {BATCH}, both api v1",
        "small_defaults": f"{result['files']} x 4 KiB, each side's defaults (ours: auto, v2)",
    }
    rows = [("vs vendor: ours vs vendor (ratio ours/vendor)", result["vendor"])]
    rows.append(("  client and fake", result.get("pinning", "not pinned")))
    for name, label in labels.items():
        rate, cpu = ("mb_per_s", "cpu_s_per_gib") if name == "large" else (
            "files_per_s", "cpu_ms_per_file")  # fmt: skip
        for latency, fig in result[name]["by_latency"].items():
            o, v = fig["ours"], fig["vendor"]
            tr = result[name]["throughput_ratio"][latency]
            cr = result[name]["cpu_ratio"][latency]
            rows.append((f"  {label}, {latency} ms: {rate}", f"{o[rate]} vs {v[rate]} ({tr})"))
            rows.append((f"  {label}, {latency} ms: {cpu}", f"{o[cpu]} vs {v[cpu]} ({cr})"))
    rows.append(("  head-to-head wall time, s", f"{result['seconds_total']}"))
    return rows
