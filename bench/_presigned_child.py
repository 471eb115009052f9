"""Child process of the presigned benchmark: one large file through v1 chunked or v2 multipart.

Usage: ``python -m bench._presigned_child URL TOKEN PATH v1|v2 PARTS_IN_FLIGHT``; prints one
JSON line (seconds, client CPU, memory). The v2 path asks for upload URLs, PUTs the parts
straight to the fake's storage (``upload_to_presigned``, MD5 read beside the parts) and
finalizes; the v1 path is ``upload_file(chunked=True)`` with the default 50 MiB chunks.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import httpx
import psutil
from synapse_client.models import PresignedUploadFile

from synapse_ext import SynapseClient

MiB = 1 << 20


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _v2(client: SynapseClient, url: str, token: str, path: Path, parts: int) -> str:
    headers = {"SYNAPSE-ACCESS-TOKEN": token}
    with httpx.Client(base_url=url, headers=headers, timeout=600) as api:
        size = path.stat().st_size
        body = {"files": [{"filename": path.name, "size": size}]}
        answer = api.post("/v2/data-collections/1/upload-urls/", json=body).json()
        upload = PresignedUploadFile.from_dict(answer["data"]["files"][0])
        stored = client.upload_to_presigned(upload, path, part_concurrency=parts)
        multipart = None
        if stored.upload_id is not None:
            multipart = {
                "upload_id": stored.upload_id,
                "parts": [{"part_number": n, "etag": e} for n, e in stored.parts],
            }
        entry = {"file_key": stored.file_key, "checksum": stored.checksum, "size": size}
        if multipart is not None:
            entry["multipart"] = multipart
        result = api.post("/v2/data-collections/1/finalize-upload/", json={"files": [entry]})
        row = result.json()["data"]["results"][0]
        if not row["success"]:
            raise SystemExit(f"finalize failed: {row['error']}")
        return stored.checksum


def main() -> None:
    url, token, path, api, parts = sys.argv[1:6]
    with SynapseClient(url, token) as client:
        client.get_collection(1)  # warm: imports, connection, first request
        idle = psutil.Process().memory_info().rss
        cpu = _cpu()
        start = time.perf_counter()
        if api == "v2":
            checksum = _v2(client, url, token, Path(path), int(parts))
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
