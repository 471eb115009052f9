"""``synapse-mock serve`` and the object storage: its URL, and ``--storage-endpoint``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

from .servers import cli_server, python_m

pytestmark = pytest.mark.slow


def test_serve_prints_the_storage_url_on_stderr() -> None:
    with cli_server(python_m("serve", "--port", "0", "--token", "t")) as (process, url):
        presign = httpx.post(f"{url}/_mock/storage", json={"action": "presign_put", "key": "k"})
        put = httpx.put(presign.json()["url"], content=b"cli")
        assert put.status_code == 200 and put.headers["etag"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert process.stderr is not None
        err = process.stderr.read()
    storage_url = presign.json()["url"].split("/synapse-mock/")[0]
    assert storage_url != url and storage_url.startswith("http://127.0.0.1:")
    assert f"synapse-mock: object storage at {storage_url}" in err


def test_storage_endpoint_without_botocore_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys\nsys.modules['botocore'] = None\n"
        "from mockserver.cli import main\n"
        "sys.exit(main(['serve', '--port', '0', '--storage-endpoint', 'http://127.0.0.1:9']))"
    )
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "pip install 'synapse-dc[mock-s3]'" in lines[0] and "botocore" in lines[0]
    assert "--storage-endpoint" in lines[0]
