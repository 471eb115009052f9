"""Run one ingestion in a separate process, optionally killing itself (SIGKILL) at a point.

Usage: python _child.py BASE_URL ROOT JOURNAL [--die POINT:N] [--batch-size N]
                        [--chunked-threshold BYTES] [--chunk-size BYTES] [--api v1|v2]
POINT is one of upload_after, chunk_after, units_before, units_after, tasks_after (v1) or
v2_storage_after, v2_finalize_after, v2_units_before, v2_units_after, v2_tasks_after: the process
sends SIGKILL to itself before the N-th request (1-based) of that kind is sent, or once its
answer arrived (``chunk_after``: the N-th chunk PUT of a chunked upload was answered). The
hook is a transport wrapper, so it sees exactly what goes on the wire. Prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import threading

import httpx

from mockserver import DEFAULT_TOKEN
from synapse_ext import RetryPolicy, SynapseClient
from synapse_ext.dataset import organize
from synapse_ext.ingest import upload_data_collection

POINTS = {
    "upload_after": ("POST", r"/data_files/$", "after"),
    "chunk_after": ("PUT", r"/chunked_upload/([^/]+/)?$", "after"),
    "units_before": ("POST", r"/data_units/$", "before"),
    "units_after": ("POST", r"/data_units/$", "after"),
    "tasks_after": ("POST", r"/tasks/$", "after"),
    "v2_storage_after": ("PUT", r"^/synapse-mock/", "after"),
    "v2_finalize_after": ("POST", r"/finalize-upload/$", "after"),
    "v2_units_before": ("POST", r"/v2/data-units/bulk-create/$", "before"),
    "v2_units_after": ("POST", r"/v2/data-units/bulk-create/$", "after"),
    "v2_tasks_after": ("POST", r"/v2/tasks/bulk-create/$", "after"),
}


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class DyingTransport(httpx.HTTPTransport):
    """Kills the process before the N-th matching request, or once its answer arrived."""

    def __init__(self, point: str, n: int) -> None:
        super().__init__()
        self.method, pattern, self.when = POINTS[point]
        self.pattern = re.compile(pattern)
        self.n = n
        self.seen = 0
        self.lock = threading.Lock()  # uploads run in parallel: number each request once

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        index = 0
        if request.method == self.method and self.pattern.search(request.url.path):
            with self.lock:
                self.seen += 1
                index = self.seen
            if self.when == "before" and index == self.n:
                _die()
        response = super().handle_request(request)
        if self.when == "after" and index == self.n:
            response.read()
            _die()
        return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("root")
    parser.add_argument("journal")
    parser.add_argument("--die", default=None)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--chunked-threshold", type=int, default=50 * 1024 * 1024)
    parser.add_argument("--chunk-size", type=int, default=50 * 1024 * 1024)
    parser.add_argument("--api", choices=("v1", "v2"), default="v1")
    args = parser.parse_args()
    retry = RetryPolicy(max_attempts=6, base=0.001, cap=0.01, retry_after_cap=0.01)
    transport = None
    if args.die:
        point, n = args.die.split(":")
        transport = DyingTransport(point, int(n))
    with SynapseClient(args.base_url, DEFAULT_TOKEN, retry=retry, transport=transport) as client:
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
            unit_retry=RetryPolicy(max_attempts=3, base=0.001),
            chunked_threshold=args.chunked_threshold,
            chunk_size=args.chunk_size,
            api=args.api,
        )
    print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
