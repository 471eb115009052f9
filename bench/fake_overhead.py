"""Requests per second the fake serves, in-process (respx) and over HTTP (uvicorn)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import serve
from mockserver import mock_synapse

BODY = bytes(4096)


def _rate(n: int, call: Callable[[int], Any]) -> float:
    start = time.perf_counter()
    for i in range(n):
        call(i)
    return n / (time.perf_counter() - start)


def _measure(client: httpx.Client, n: int) -> dict[str, float]:
    def get(_: int) -> None:
        client.get("/data_collections/1/").raise_for_status()

    def upload(i: int) -> None:
        files = {"file": (f"f{i}.jpg", i.to_bytes(4, "little") + BODY[4:])}
        client.post("/data_files/", files=files).raise_for_status()

    return {"get_per_s": round(_rate(n, get), 1), "upload_4k_per_s": round(_rate(n, upload), 1)}


def run(workdir: Path, n: int = 1000) -> dict[str, Any]:
    """One client, sequential requests: the fake's cost per request (plus httpx's)."""
    with mock_synapse(token=serve.TOKEN, patch=False) as fake, fake.client() as client:
        respx = _measure(client, n)
    with serve.served(workdir / "storage-fake") as url:
        headers = {"Synapse-Access-Token": f"Token {serve.TOKEN}"}
        with httpx.Client(base_url=url, headers=headers) as client:
            http = _measure(client, n)
    return {
        "respx_requests_per_s": respx["get_per_s"],
        "http_requests_per_s": http["get_per_s"],
        "respx": respx,
        "http": http,
    }
