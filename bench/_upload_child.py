"""Child process of the large-file benchmark: one chunked upload, timed, with its memory.

Usage: ``python -m bench._upload_child URL TOKEN PATH CHUNK_MIB``; prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import psutil

from synapse_ext import SynapseClient

MiB = 1 << 20


def main() -> None:
    url, token, path, chunk_mib = sys.argv[1:5]
    with SynapseClient(url, token) as client:
        client.get_collection(1)  # warm: imports, connection, first request
        idle = psutil.Process().memory_info().rss
        start = time.perf_counter()
        data_file = client.upload_file(path, chunked=True, chunk_size=int(chunk_mib) * MiB)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "checksum": data_file.checksum,
                "idle_rss_mib": round(idle / MiB, 1),
                "peak_rss_mib": round(peak / MiB, 1),
                "peak_above_idle_mib": round((peak - idle) / MiB, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
