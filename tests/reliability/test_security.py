"""Secrets stay secret, plain HTTP is flagged, and the fake never writes outside its storage."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from mockserver import mock_synapse
from synapse_ext import SynapseClient, organize, upload_data_collection
from tests.ingest.conftest import assert_exact, make_dataset

from .helpers import SOAK_RETRY, SOAK_UNITS, TOKEN, no_sleep


def test_token_never_in_logs_errors_reprs_or_output(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, 60, size=300)
    caplog.set_level(logging.DEBUG)  # everything: ours, httpx, httpcore, uvicorn, mockserver
    seen: list[str] = []
    with mock_synapse(mode="server", token=TOKEN) as fake:
        fake.faults.random(
            rate=0.2,
            seed=5,
            kinds=("status", "drop", "lose_response"),
            statuses=(429, 500, 502, 503, 504),
            retry_after=1,
        )
        with SynapseClient(fake.base_url, TOKEN, retry=SOAK_RETRY, sleep=no_sleep) as client:
            seen += [repr(client), str(client)]
            result = upload_data_collection(
                client,
                1,
                organize(root, client.get_collection(1)),
                project_id=1,
                batch_size=10,
                journal=tmp_path / "j.sqlite3",
                unit_retry=SOAK_UNITS,
            )
            seen += [repr(result), str(result.to_dict())]
            with SynapseClient(fake.base_url, TOKEN + "-wrong", sleep=no_sleep) as bad:
                try:
                    bad.get_collection(1)
                except Exception as exc:
                    seen += [repr(exc), str(exc)]
        fake.faults.clear()
        assert result.success, result.failures
        assert_exact(fake, expected)
    out, err = capfd.readouterr()
    everything = "\n".join([caplog.text, out, err, *seen])
    assert "retrying" in caplog.text  # the faults were logged...
    assert TOKEN not in everything  # ...and the token never was


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.5:8000"])
def test_plain_http_to_a_remote_host_warns(url: str) -> None:
    with pytest.warns(UserWarning, match="plain-HTTP"):
        SynapseClient(url, "t").close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost", "https://x.io"])
def test_loopback_or_https_does_not_warn(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SynapseClient(url, "t").close()


@pytest.mark.parametrize("mode", ["respx", "server"])
@pytest.mark.parametrize(
    "name", ["../../escape.jpg", "/etc/escape.jpg", "a\x00b.jpg", "..", "sub/../../x.jpg"]
)
def test_fake_never_writes_outside_its_storage(tmp_path: Path, mode: str, name: str) -> None:
    storage = tmp_path / "box" / "storage"
    storage.mkdir(parents=True)
    outside_before = {p for p in tmp_path.rglob("*") if storage not in p.parents}
    kwargs: dict[str, Any] = {"mode": mode, "storage": storage}
    if mode == "respx":
        kwargs["patch"] = False
    with mock_synapse(**kwargs) as fake, fake.client() as client:
        direct = client.post("/data_files/", files={"file": (name, b"payload")})
        chunk = client.put(
            "/chunked_upload/",
            files={"file": (name, b"0123456789")},
            data={"filename": name},
            headers={"Content-Range": "bytes 0-9/10"},
        )
    assert direct.status_code in (201, 400), direct.text
    assert chunk.status_code in (200, 400), chunk.text
    outside_after = {p for p in tmp_path.rglob("*") if storage not in p.parents}
    assert outside_after == outside_before
    assert not Path("/etc/escape.jpg").exists()
