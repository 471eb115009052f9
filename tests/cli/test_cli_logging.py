"""``-v`` / ``-vv``: our INFO and DEBUG lines, httpx's request lines, one record per line, and
never a secret (token, presigned signature) in anything the CLI writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mockserver import DEFAULT_TOKEN
from synapse_ext.cli import ExitCode

LEAKS = (DEFAULT_TOKEN, "X-Amz-Signature", "Signature=", "Credential=")
LEVEL = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) +([\w.]+): ")


def _upload(invoke: Any, dataset: Path, api: str, *flags: str) -> Any:
    args = ["--mock", *flags, "upload", str(dataset), "--collection", "1", "--project", "1"]
    result = invoke(*args, "--api", api, "--progress", "none")
    assert result.exit_code == ExitCode.OK, result.stderr
    return result


def _log_lines(text: str) -> list[tuple[str, str, str]]:
    """``(level, logger, line)`` of every log line."""
    return [(m[1], m[2], line) for line in text.splitlines() if (m := LEVEL.match(line))]


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_vv_shows_our_debug_and_http_lines_and_no_secret(
    invoke: Any, dataset: Path, api: str
) -> None:
    result = _upload(invoke, dataset, api, "-vv")
    everything = result.stdout + result.stderr
    for leak in LEAKS:
        assert leak not in everything, leak
    logs = _log_lines(result.stderr)
    ours = [line for level, name, line in logs if name == "synapse_ext"]
    http = [line for level, name, line in logs if name == "httpx"]
    assert any(line.startswith("DEBUG") and "window of 5 groups" in line for line in ours)
    assert any(f"API {api} (as asked)" in line for line in ours)
    assert any("ingestion done" in line and "5 units created" in line for line in ours)
    assert any("HTTP Request: GET https://api.synapse.sh/data_collections/1/" in x for x in http)
    # Every record is one line: a request line holds its method, its whole URL and its status.
    assert all(re.search(r'HTTP Request: \w+ \S+ "HTTP/1\.1 \d{3} ', line) for line in http)
    if api == "v2":
        puts = [line for line in http if "PUT https://storage." in line]
        assert len(puts) == 8  # one per file, each on one (long) line, its signature masked
        assert all(len(line) > 200 and "X-Amz-Expires=" in line for line in puts)
        assert all("&***&" in line for line in puts)
        assert any("DEBUG" in line and "presigned upload URLs" in line for line in ours)
    # Nothing but whole records and the CLI's own notes on stderr: no continuation lines.
    for line in result.stderr.splitlines():
        assert LEVEL.match(line) or line.startswith(("mock mode", "a temporary folder")), line


def test_v_shows_our_info_lines_and_no_debug(invoke: Any, dataset: Path) -> None:
    result = _upload(invoke, dataset, "v2", "-v")
    logs = _log_lines(result.stderr)
    assert logs and {name for _, name, _ in logs} == {"synapse_ext"}  # no httpx lines
    assert {level for level, _, _ in logs} == {"INFO"}
    text = "\n".join(line for _, _, line in logs)
    assert "collection 1: API v2 (as asked)" in text
    assert "ingesting into collection 1" in text and "ingestion done" in text
    assert len(logs) < 10  # a few lines per run, not one per file


def test_no_flag_logs_nothing(invoke: Any, dataset: Path) -> None:
    result = _upload(invoke, dataset, "v2")
    assert _log_lines(result.stderr) == []


def test_json_result_holds_no_signature_even_when_an_error_echoes_one(
    invoke: Any, dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synapse_ext.ingest import _engine

    original = _engine.Engine.upload_outcome

    def echoing(self: Any, checksum: str, path: Any, size: int, error: Any, **kw: Any) -> Any:
        if error is None and path.name == "street_001.png":  # as if storage echoed its URL
            error = OSError("PUT https://s.example/k?X-Amz-Signature=feedc0de&X-Amz-Expires=9")
        return original(self, checksum, path, size, error, **kw)

    monkeypatch.setattr(_engine.Engine, "upload_outcome", echoing)
    args = ["--mock", "-vv", "upload", str(dataset), "--collection", "1", "--api", "v2"]
    result = invoke(*args, "--json")
    assert result.exit_code == ExitCode.FAILED, result.stderr
    failures = json.loads(result.stdout)["result"]["failures"]
    assert len(failures) == 1 and "https://s.example/k?***&X-Amz-Expires=9" in str(failures)
    for leak in (*LEAKS, "feedc0de"):
        assert leak not in result.stdout + result.stderr, leak
