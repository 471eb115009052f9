"""``synapse-dc upload s3://bucket/prefix --source-option ...`` (in process, --mock), and the
bad inputs: one line on stderr, exit code 2 or 5, no traceback."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import moto.settings
import pytest
from click.testing import CliRunner, Result

from synapse_ext.cli.exits import ExitCode
from tests.conftest import ROOT

from .conftest import closed_port, upload_tree

pytestmark = pytest.mark.slow

EXAMPLES = ROOT / "examples" / "dataset"


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from synapse_ext.cli import cli

    def call(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return call


@pytest.fixture
def url(s3: Any, bucket: str) -> str:
    return upload_tree(s3, EXAMPLES, bucket, "datasets/examples")


def test_mock_upload_from_s3_matches_the_local_run(invoke: Any, url: str, s3_endpoint: str) -> None:
    option = f"endpoint_url={s3_endpoint}"
    args = ["--collection", "1", "--project", "1", "--json", "--api", "v2"]
    remote = invoke("--mock", "upload", url, "--source-option", option, *args)
    assert remote.exit_code == ExitCode.OK, remote.stderr
    document = json.loads(remote.stdout)
    result = document["result"]
    assert result["units_created"] == result["tasks_created"] == 5 and result["success"]
    local = json.loads(invoke("--mock", "upload", str(EXAMPLES), *args).stdout)
    assert document["organize"]["groups"] == local["organize"]["groups"] == 5
    assert document["organize"]["bytes"] == local["organize"]["bytes"] > 0
    assert document["organize"]["skipped"] == local["organize"]["skipped"] != {}
    issues = document["organize"]["issues"]
    names = [(i["reason"], i["path"] and i["path"].rsplit("/", 1)[-1]) for i in issues]
    assert names == [
        (i["reason"], i["path"] and Path(i["path"]).name) for i in local["organize"]["issues"]
    ]
    assert all(i["path"] is None or i["path"].startswith(url) for i in issues)

    human = invoke("--mock", "upload", url, "--source-option", option, "--collection", "1")
    assert human.exit_code == ExitCode.OK, human.stderr
    assert f"skipped {url}/image/street_006.bmp: extension_not_allowed" in human.stdout

    dry = invoke("--mock", "upload", url, "--source-option", option, *args, "--dry-run")
    assert dry.exit_code == ExitCode.OK, dry.stderr
    plan = json.loads(dry.stdout)["plan"]
    assert len(plan) == 5 and plan[0]["files"]["image"].startswith(f"{url}/image/")


def _one_line_error(result: Result, code: ExitCode) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error")]
    assert len(errors) == 1, lines
    return errors[0]


def test_unknown_scheme_missing_extra_and_bad_options_exit_2(
    invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--mock", "upload"]
    line = _one_line_error(invoke(*base, "nosuch://b/p", "--collection", "1"), ExitCode.USAGE)
    assert "nosuch:// is not a known source scheme" in line
    line = _one_line_error(invoke(*base, "gs://b/p", "--collection", "1"), ExitCode.USAGE)
    assert "pip install 'synapse-dc[gcs]'" in line
    registry = importlib.import_module("fsspec.registry")._registry
    monkeypatch.setitem(sys.modules, "s3fs", None)
    monkeypatch.delitem(registry, "s3", raising=False)
    line = _one_line_error(invoke(*base, "s3://b/p", "--collection", "1"), ExitCode.USAGE)
    assert "pip install 'synapse-dc[s3]'" in line
    monkeypatch.undo()
    bad = invoke(*base, "s3://b/p", "--source-option", "novalue", "--collection", "1")
    assert "expected KEY=VALUE" in _one_line_error(bad, ExitCode.USAGE)


def test_missing_bucket_and_wrong_credentials_exit_2(
    invoke: Any, url: str, bucket: str, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    option = ["--source-option", f"endpoint_url={s3_endpoint}", "--collection", "1"]
    missing = invoke("--mock", "upload", f"s3://{bucket}-gone/ds", *option)
    assert "no such bucket" in _one_line_error(missing, ExitCode.USAGE)

    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # moto checks keys now
    secret = "hunter2-not-a-real-secret"
    wrong = invoke(
        "-vv", "--mock", "upload", url, *option, "--source-option", "key=nobody",
        "--source-option", f"secret={secret}", "--source-option", "skip_instance_cache=true",
    )  # fmt: skip
    line = _one_line_error(wrong, ExitCode.USAGE)
    assert "access refused" in line and "credentials" in line
    assert secret not in wrong.stderr + wrong.stdout

    partial = invoke("--mock", "upload", url, *option, "--source-option", f"secret={secret}")
    line = _one_line_error(partial, ExitCode.USAGE)  # botocore: PartialCredentialsError
    assert "check the store's credentials" in line and secret not in line


def test_unreachable_store_exits_5(invoke: Any) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    result = invoke(
        "--mock", "upload", "s3://bucket/ds", "--collection", "1",
        "--source-option", f"endpoint_url={dead}",
        "--source-option", 'config_kwargs={"retries": {"max_attempts": 1}, "connect_timeout": 2}',
    )  # fmt: skip
    assert "cannot reach the source" in _one_line_error(result, ExitCode.UNAVAILABLE)
