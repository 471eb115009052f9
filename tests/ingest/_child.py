"""Run one ingestion in a separate process, optionally killing itself (SIGKILL) at a point.

Usage: python _child.py BASE_URL ROOT JOURNAL [--die POINT:N] [--batch-size N]
                        [--chunked-threshold BYTES] [--chunk-size BYTES]
POINT is one of upload_after, chunk_after, units_before, units_after, tasks_after: the process
sends SIGKILL to itself before/after the N-th call (1-based) of that kind (``chunk_after``: the
N-th chunk PUT of a chunked upload was answered). Prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from typing import Any

from mockserver import DEFAULT_TOKEN
from synapse_ext import RetryPolicy, SynapseClient, organize, upload_data_collection
from synapse_ext.batching import UnitBatchPolicy


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _hook(client: Any, name: str, when: str, n: int) -> None:
    real = getattr(client, name)
    count = {"calls": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        count["calls"] += 1
        if when == "before" and count["calls"] == n:
            _die()
        out = real(*args, **kwargs)
        if when == "after" and count["calls"] == n:
            _die()
        return out

    setattr(client, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("root")
    parser.add_argument("journal")
    parser.add_argument("--die", default=None)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--chunked-threshold", type=int, default=50 * 1024 * 1024)
    parser.add_argument("--chunk-size", type=int, default=50 * 1024 * 1024)
    args = parser.parse_args()
    retry = RetryPolicy(max_attempts=6, base=0.001, cap=0.01, retry_after_cap=0.01)
    with SynapseClient(args.base_url, DEFAULT_TOKEN, retry=retry) as client:
        if args.die:
            point, n = args.die.split(":")
            name, when = {
                "upload_after": ("upload_file", "after"),
                "chunk_after": ("_put", "after"),
                "units_before": ("create_data_units", "before"),
                "units_after": ("create_data_units", "after"),
                "tasks_after": ("create_tasks", "after"),
            }[point]
            _hook(client, name, when, int(n))
        collection = client.get_collection(1)
        groups = organize(args.root, collection)
        result = upload_data_collection(
            client,
            1,
            groups,
            project_id=1,
            batch_size=args.batch_size,
            max_workers=4,
            journal=args.journal,
            unit_retry=UnitBatchPolicy(base=0.001),
            chunked_threshold=args.chunked_threshold,
            chunk_size=args.chunk_size,
        )
    print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
