"""Child process of the presigned benchmark: one large file through v1 chunked or v2 multipart.

Usage: ``python -m bench._presigned_child URL TOKEN PATH v1|v2|v2-md5 PARTS_IN_FLIGHT``;
prints one JSON line (seconds, client CPU, memory). The v2 path is ``upload_file_presigned``
(MD5 of the file beside the parts, upload URLs, parts straight to the fake's storage,
finalize); ``v2-md5`` is the same with the MD5 given (``md5=``, hashed before the clock
starts), as the ingestion calls it (it hashed every file for its checksum lookup first); the
v1 path is ``upload_file(chunked=True)`` with the default 50 MiB chunks.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import psutil

from synapse_ext import SynapseClient
from synapse_ext.upload._files import file_md5

MiB = 1 << 20


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _v2(client: SynapseClient, path: Path, parts: int, md5: str | None) -> str:
    return client.upload_file_presigned(1, path, md5=md5, part_concurrency=parts).checksum


def main() -> None:
    url, token, path, api, parts = sys.argv[1:6]
    with SynapseClient(url, token) as client:
        client.get_collection(1)  # warm: imports, connection, first request
        md5 = file_md5(Path(path)) if api == "v2-md5" else None
        idle = psutil.Process().memory_info().rss
        cpu = _cpu()
        start = time.perf_counter()
        if api in ("v2", "v2-md5"):
            checksum = _v2(client, Path(path), int(parts), md5)
        else:
            checksum = client.upload_file(path, chunked=True).checksum
        seconds = time.perf_counter() - start
        cpu = _cpu() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": round(cpu, 3),
                "checksum": checksum,
                "idle_rss_mib": round(idle / MiB, 1),
                "peak_above_idle_mib": round((peak - idle) / MiB, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
