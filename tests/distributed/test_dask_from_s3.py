"""The whole picture: ``synapse-dc upload s3://... --dask ...`` from a loopback S3 server (moto,
as the *source*) into the fake over HTTP, on Dask worker processes; a re-run creates nothing,
and a worker SIGKILLed mid-run still leaves exactly one unit per group."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse
from synapse_ext.cli import ExitCode

from ..cli.conftest import clean_env, run, synapse_dc
from ..ingest.conftest import assert_exact, make_dataset
from ..sources.conftest import aws_env, bucket, s3, upload_tree
from .conftest import TOKEN, unit_count
from .test_dask import _executing

__all__ = ["aws_env", "bucket", "s3"]  # fixtures, used by name

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
N_GROUPS = 40


def _args(url: str, endpoint: str, dask: str) -> list[str]:
    # The workers of a running cluster do not share this process's environment: the source
    # credentials travel as source options (moto accepts any).
    args = ["upload", url, "--collection", "1", "--project", "1", "--api", "v2", "--json"]
    args += ["--source-option", f"endpoint_url={endpoint}"]
    args += ["--source-option", "key=testing", "--source-option", "secret=testing"]
    return [*args, "--dask", dask, "--no-resume"]


def _env(fake: MockSynapse) -> dict[str, str]:
    return {"SYNAPSE_BASE_URL": fake.base_url, "SYNAPSE_ACCESS_TOKEN": TOKEN}


@pytest.fixture
def source(s3: Any, bucket: str, tmp_path: Path) -> tuple[str, dict[str, dict[str, str]]]:
    local = tmp_path / "local"
    expected = make_dataset(local, N_GROUPS)
    return upload_tree(s3, local, bucket, "dataset"), expected


def test_from_a_bucket_on_a_local_cluster_then_a_rerun_creates_nothing(
    fake: MockSynapse, s3_endpoint: str, source: tuple[str, Any], tmp_path: Path, dask: Any
) -> None:
    url, expected = source
    done = run(_args(url, s3_endpoint, "local:2"), tmp_path, timeout=150, **_env(fake))
    assert done.returncode == ExitCode.OK, done.stderr
    result = json.loads(done.stdout)["result"]
    assert result["units_created"] == N_GROUPS and result["failed"] == 0, result
    assert_exact(fake, expected)
    # Again, on the running cluster: nothing new is made or sent.
    again = run(_args(url, s3_endpoint, dask.scheduler.address), tmp_path, **_env(fake))
    assert again.returncode == ExitCode.OK, again.stderr
    second = json.loads(again.stdout)["result"]
    assert second["units_created"] == 0 and second["units_already_present"] == N_GROUPS
    assert second["files_uploaded"] == 0 and second["bytes_sent"] == 0
    assert_exact(fake, expected)
    assert TOKEN not in done.stdout + done.stderr + again.stdout + again.stderr
    assert "secret=testing" not in done.stdout + done.stderr


def test_a_worker_killed_mid_run_from_a_bucket_still_ends_exact(
    fake: MockSynapse, s3_endpoint: str, source: tuple[str, Any], tmp_path: Path, dask: Any
) -> None:
    url, expected = source
    fake.faults.latency_ms = 20  # API and storage: the run lasts a few seconds
    pids: dict[str, int] = dask.run(os.getpid)
    victim = sorted(pids)[0]
    args = [*_args(url, s3_endpoint, dask.scheduler.address), "--batch-size", "2"]
    proc = subprocess.Popen(
        [*synapse_dc(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(tmp_path, **_env(fake)),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 90
        while fake.call_count("v2BulkCreateDataUnits") < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no units within 90 s"
            time.sleep(0.005)
        busy = dask.run(_executing, workers=[victim])[victim]
        units_at_kill = unit_count(fake)
        os.kill(pids[victim], signal.SIGKILL)
        out, err = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when an assertion failed above
            proc.kill()
            proc.communicate()
    fake.faults.latency_ms = 0
    assert busy == 1, "the killed worker was not running a shard"
    assert 0 < units_at_kill < N_GROUPS, "the kill did not land mid-run"
    assert proc.returncode == ExitCode.OK, err
    result = json.loads(out)["result"]
    assert result["failed"] == 0, result
    assert result["units_created"] + result["units_already_present"] == N_GROUPS
    assert_exact(fake, expected)
