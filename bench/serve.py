"""Run ``python -m mockserver serve`` as a subprocess and talk to its control routes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

TOKEN = "bench-token"
CLIENT_CORE, FAKE_CORE = 0, 1
"""Where :func:`pinned` puts a client process and the fake (when ``taskset`` exists)."""


def can_pin() -> bool:
    """Whether client and fake can run on different cores (``taskset`` and 2+ cores)."""
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pinning() -> str:
    """How the client and the fake share the machine, as the tables and results say it."""
    if can_pin():
        return f"pinned: client on core {CLIENT_CORE}, fake on core {FAKE_CORE} (taskset)"
    return "not pinned (no taskset, or a single core)"


def pinned(cmd: list[str], core: int) -> list[str]:
    """``cmd`` run on ``core`` alone (``taskset -c``), or unchanged when it cannot be."""
    return ["taskset", "-c", str(core), *cmd] if can_pin() else cmd


@contextmanager
def served(storage: Path, *, latency_ms: int = 0, pin: bool = False) -> Iterator[str]:
    """The fake over HTTP in its own process; yields its base URL. ``pin``: on its own core
    (:data:`FAKE_CORE`), where it can be (see :func:`pinning`)."""
    cmd = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--token", TOKEN]
    cmd += ["--latency-ms", str(latency_ms), "--storage", str(storage)]
    if pin:
        cmd = pinned(cmd, FAKE_CORE)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"synapse-mock did not start (printed {url!r})")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def reset(url: str) -> None:
    """Forget every file, unit and task (fixtures reloaded)."""
    httpx.post(f"{url}/_mock/reset", timeout=60).raise_for_status()


def counts(url: str) -> dict[str, Any]:
    """The fake's counters (``bytes_received``, ``data_units``, ...)."""
    response = httpx.get(f"{url}/_mock/state", timeout=120)
    response.raise_for_status()
    result: dict[str, Any] = response.json()["counts"]
    return result


def set_latency(url: str, latency_ms: int) -> None:
    """Change the fake's added latency per request."""
    response = httpx.post(f"{url}/_mock/faults", json={"latency_ms": latency_ms}, timeout=30)
    response.raise_for_status()
