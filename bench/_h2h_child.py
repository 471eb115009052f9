"""Child process of the head-to-head (``bench/vendor.py``): one job with one client, timed.

Run as a script (not ``-m``) by either interpreter, so it imports nothing from ``bench``:
``python bench/_h2h_child.py SIDE URL TOKEN JOB ARGS...`` with SIDE ``ours`` (the project's
``.venv``: ``synapse_ext``) or ``vendor`` (the vendor venv: ``synapse_sdk``), and JOB

* ``large PATH``: a chunked upload of PATH with the side's default chunk size;
* ``small FOLDER JOURNAL [MAX_WORKERS BATCH_SIZE [API]]``: ``upload_data_collection`` of
  the ``*.png`` files in FOLDER into collection 1 (``image`` spec), no tasks (the vendor's
  ``project_id`` path fails on the list that ``POST data_units/`` returns); without the
  sizes, each side's own defaults. JOURNAL and API (``v1``, ``v2``, ``auto``; default: ours'
  default) are ours only: the vendor's client speaks v1 alone.

Prints one JSON line: ``seconds`` (wall clock of the job) and ``cpu_s`` (user+sys of this
process, ``getrusage(RUSAGE_SELF)`` around the job: every thread of the client, nothing else).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _groups(folder: str) -> list[dict[str, Any]]:
    paths = sorted(Path(folder).glob("*.png"))
    return [
        {"files": {"image": p}, "meta": {"origin_file_stem": p.stem, "sequence": i}}
        for i, p in enumerate(paths)
    ]


def _sizes(rest: list[str]) -> dict[str, int]:
    if not rest:
        return {}
    return {"max_workers": int(rest[0]), "batch_size": int(rest[1])}


def _api(rest: list[str]) -> dict[str, Any]:
    return {"api": rest[2]} if len(rest) > 2 else {}


def _ours(url: str, token: str, job: str, args: list[str]) -> tuple[Callable[[], Any], Any]:
    from synapse_ext import SynapseClient, upload_data_collection

    client = SynapseClient(url, token)
    client.get_collection(1)  # warm: imports, connection, first request
    if job == "large":
        return lambda: client.upload_file_chunked(args[0]), client
    groups = _groups(args[0])

    def small() -> None:
        options: dict[str, Any] = {**_sizes(args[2:]), **_api(args[2:])}
        result = upload_data_collection(client, 1, groups, journal=args[1], **options)
        wanted = options.get("api", "auto")
        if not result.success or result.units_created != len(groups):
            raise RuntimeError(f"ingestion failed: {result.to_dict()}")
        if wanted != "auto" and result.api != wanted:
            raise RuntimeError(f"ingestion used api {result.api}, not {wanted}")

    return small, client


def _vendor(url: str, token: str, job: str, args: list[str]) -> tuple[Callable[[], Any], Any]:
    from synapse_sdk.clients.backend import BackendClient

    client = BackendClient(url, access_token=token)
    client.get_data_collection(1)  # warm: imports, connection, first request
    if job == "large":
        return lambda: client.create_chunked_upload(args[0]), client
    groups = _groups(args[0])
    return lambda: client.upload_data_collection(1, groups, **_sizes(args[2:4])), client


def main() -> None:
    side, url, token, job, *args = sys.argv[1:]
    make = _ours if side == "ours" else _vendor
    work, client = make(url, token, job, args)
    try:
        cpu0, t0 = _cpu(), time.perf_counter()
        work()
        seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
    finally:
        client.close()
    print(json.dumps({"side": side, "job": job, "seconds": seconds, "cpu_s": cpu}))


if __name__ == "__main__":
    main()
