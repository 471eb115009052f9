"""``synapse-dc upload --dask``: a run on the shared cluster, and bad input as one line."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse
from synapse_ext.cli import ExitCode

from ..cli.conftest import EXAMPLES, run
from .conftest import TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def _env(fake: MockSynapse) -> dict[str, str]:
    return {"SYNAPSE_BASE_URL": fake.base_url, "SYNAPSE_ACCESS_TOKEN": TOKEN}


def test_upload_on_a_dask_scheduler(fake: MockSynapse, dask: Any, tmp_path: Path) -> None:
    address = dask.scheduler.address
    args = ["upload", str(EXAMPLES), "--collection", "1", "--project", "1", "--api", "v2"]
    journals = tmp_path / "journals"
    done = run(
        [*args, "--dask", address, "--journal", str(journals), "--json"], tmp_path, **_env(fake)
    )
    assert done.returncode == ExitCode.OK, done.stderr
    result = json.loads(done.stdout)["result"]
    assert result["units_created"] == 5 and result["tasks_created"] == 5 and result["api"] == "v2"
    assert len(fake.state()["data_units"]) == 5
    assert any(journals.iterdir())  # the shard journals went where --journal said
    again = run(
        [*args, "--dask", address, "--journal", str(journals), "--progress", "plain"],
        tmp_path,
        **_env(fake),
    )
    assert again.returncode == ExitCode.OK, again.stderr
    assert "units already present  5" in again.stdout
    assert "progress:" in again.stderr  # one display for the whole run
    assert TOKEN not in done.stdout + done.stderr + again.stdout + again.stderr
    assert len(fake.state()["data_units"]) == 5


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("extra", "code", "needle"),
    [
        (["--dask", "local:zero"], ExitCode.USAGE, "--dask: expected a scheduler address"),
        (["--dask", "local:0"], ExitCode.USAGE, "local:N needs 1 <= N"),
        (["--dask", "local:2", "--restart"], ExitCode.USAGE, "--restart is not supported"),
        (["--dask", "tcp://127.0.0.1:{port}"], ExitCode.UNAVAILABLE, "cannot reach the Dask"),
    ],
)
def test_bad_dask_input_is_one_line(
    fake: MockSynapse, tmp_path: Path, extra: list[str], code: ExitCode, needle: str
) -> None:
    extra = [e.format(port=_closed_port()) for e in extra]
    env = {**_env(fake), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    done = run(["upload", str(EXAMPLES), "--collection", "1", *extra], tmp_path, **env)
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and needle in lines[-1], done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.count("units created") == 0
    assert fake.state()["data_units"] == []


def test_dask_with_mock_is_a_usage_error(tmp_path: Path) -> None:
    done = run(
        ["--mock", "upload", str(EXAMPLES), "--collection", "1", "--dask", "local:1"], tmp_path
    )
    assert done.returncode == ExitCode.USAGE
    assert "--dask cannot be used with --mock" in done.stderr
    assert "Traceback" not in done.stderr
