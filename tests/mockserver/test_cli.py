"""The ``synapse-mock serve`` command as a user runs it."""

from __future__ import annotations

import signal

import httpx
import pytest

from .servers import cli_server, console_script, python_m


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_console_script_serves_and_stops_cleanly(sig: signal.Signals) -> None:
    command = [console_script("synapse-mock"), "serve", "--port", "0", "--token", "t"]
    with cli_server(command) as (process, url):
        assert url.startswith("http://127.0.0.1:")
        ok = httpx.get(f"{url}/data_collections/", headers={"Synapse-Access-Token": "Token t"})
        assert ok.status_code == 200 and ok.json()["results"][0]["name"] == "Demo images"
        denied = httpx.get(f"{url}/data_collections/")
        assert denied.status_code == 401
        process.send_signal(sig)
        assert process.wait(timeout=20) == 0


def test_python_m_with_fixtures_and_tenant(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    fixtures = folder / "fixtures.json"
    fixtures.write_text(
        '{"tenants": [{"code": "acme", "tokens": []}],'
        ' "data_collections": [{"id": 7, "tenant": "acme", "name": "Acme",'
        ' "file_specifications": [{"name": "doc", "file_type": "text", "is_required": true}]}]}'
    )
    storage = folder / "store"
    command = python_m(
        "serve",
        "--port",
        "0",
        "--token",
        "k",
        "--tenant",
        "acme",
        "--fixtures",
        str(fixtures),
        "--storage",
        str(storage),
    )
    with cli_server(command) as (process, url):
        headers = {"Synapse-Access-Token": "Token k", "Synapse-Tenant": "Token acme"}
        body = httpx.get(
            f"{url}/data_collections/7/?expand=file_specifications", headers=headers
        ).json()
        assert body["file_specifications"][0]["name"] == "doc"
        upload = httpx.post(
            f"{url}/data_files/", headers=headers, files={"file": ("x.txt", b"hello")}
        )
        assert upload.status_code == 201
        assert any(p.is_file() for p in storage.rglob("*"))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
