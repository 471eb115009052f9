"""Child process of the latency sweep (``bench/latency.py``): one ingestion, timed, counted.

``python bench/_sweep_child.py URL TOKEN FOLDER JOURNAL PATH [CEILING]``: the ``*.png`` files
in FOLDER into collection 1 (``image`` spec) over v2 with the defaults of PATH, ``typed``
(``synapse_ext.upload_data_collection``) or ``facade`` (``BackendClient.upload_data_collection``).
CEILING (benchmarks only): run as if the default ceiling and pool were CEILING.

Prints one JSON line: ``seconds``, ``cpu_s``, ``requests`` (every HTTP request, API and
storage), ``mean_in_flight`` (requests in flight, time-weighted over the run: from a request's
send to its response's headers), ``peak_in_flight`` and the run's ``concurrency``.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from synapse_ext import BackendClient, SynapseClient, upload_data_collection
from synapse_ext.client import _options
from synapse_ext.client._options import pool_limits
from synapse_ext.ingest import run as ingest_run

# An earlier version of the code (on PYTHONPATH, ``--before``) may predate the constant.
DEFAULT_MAX_CONNECTIONS: int = getattr(_options, "DEFAULT_MAX_CONNECTIONS", 32)


class Counting(httpx.BaseTransport):
    """A transport that counts the requests it carries and how many are in flight."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.requests = self.now = self.peak = 0
        self.area = 0.0  # in flight x seconds
        self.since = time.perf_counter()

    def _move(self, delta: int) -> None:
        with self.lock:
            t = time.perf_counter()
            self.area += self.now * (t - self.since)
            self.since, self.now = t, self.now + delta
            self.peak = max(self.peak, self.now)
            self.requests += delta > 0

    def settle(self) -> None:
        """Account for the time since the last change (call before reading ``area``)."""
        self._move(0)

    def reset(self) -> None:
        with self.lock:
            self.requests = self.peak = 0
            self.area, self.since = 0.0, time.perf_counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._move(+1)
        try:
            return self.inner.handle_request(request)
        finally:
            self._move(-1)

    def close(self) -> None:
        self.inner.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _groups(folder: str) -> list[dict[str, Any]]:
    paths = sorted(Path(folder).glob("*.png"))
    return [
        {"files": {"image": p}, "meta": {"origin_file_stem": p.stem, "sequence": i}}
        for i, p in enumerate(paths)
    ]


def main() -> None:
    url, token, folder, journal, path, *rest = sys.argv[1:]
    options: dict[str, Any] = {}
    if rest:
        ingest_run.DEFAULT_WORKERS = int(rest[0])
        options["max_connections"] = int(rest[0])
    pool = options.get("max_connections", DEFAULT_MAX_CONNECTIONS)
    counting = Counting(httpx.HTTPTransport(limits=pool_limits(pool)))
    groups = _groups(folder)
    if path == "facade":
        facade = BackendClient(url, api_token=token, transport=counting, **options)
        facade.get_data_collection(1)  # warm: imports, connection, first request
        counting.reset()
        cpu0, t0 = _cpu(), time.perf_counter()
        out = facade.upload_data_collection(1, groups, journal=journal, api="v2")
        seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
        facade.close()
    else:
        client = SynapseClient(url, token, transport=counting, **options)
        client.get_collection(1)
        counting.reset()
        cpu0, t0 = _cpu(), time.perf_counter()
        out = upload_data_collection(client, 1, groups, journal=journal, api="v2").to_dict()
        seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
        client.close()
    if not out["success"] or out["units_created"] != len(groups):
        raise RuntimeError(f"ingestion failed: {out}")
    counting.settle()
    result = {
        "path": path,
        "seconds": seconds,
        "cpu_s": cpu,
        "files": len(groups),
        "requests": counting.requests,
        "mean_in_flight": counting.area / seconds,
        "peak_in_flight": counting.peak,
        "concurrency": out["concurrency"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
