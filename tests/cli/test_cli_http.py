"""``synapse-dc`` as a user runs it: a subprocess against the fake over real HTTP."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from synapse_ext.cli import ExitCode

from .conftest import TOKEN, run, state

pytestmark = pytest.mark.slow


def test_upload_happy_path(dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any) -> None:
    done = run(
        ["upload", str(dataset), "--collection", "1", "--project", "1"],
        tmp_path,
        **env_for(http_fake),
    )
    assert done.returncode == ExitCode.OK, done.stderr
    out = done.stdout
    assert "5 groups to upload (8 files" in out
    assert "street_006.bmp: extension_not_allowed" in out
    assert "group street_099: missing_required_spec" in out
    for line in (
        "units created          5",
        "tasks created          5",
        "failed                 0",
    ):
        assert line in out
    assert "journal:" in done.stderr  # the resume journal is announced on stderr
    now = state(http_fake)
    assert len(now["data_units"]) == 5 and len(now["tasks"]) == 5
    assert len(now["data_files"]) == 8
    assert TOKEN not in out + done.stderr


def test_second_run_creates_nothing(
    dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any
) -> None:
    args = ["upload", str(dataset), "--collection", "1", "--json"]
    assert run(args, tmp_path, **env_for(http_fake)).returncode == 0
    again = run(args, tmp_path, **env_for(http_fake))
    assert again.returncode == ExitCode.OK
    result = json.loads(again.stdout)["result"]
    assert result["units_created"] == 0 and result["units_already_present"] == 5
    assert len(state(http_fake)["data_units"]) == 5


def test_dry_run_sends_nothing(dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any) -> None:
    done = run(
        ["upload", str(dataset), "--collection", "1", "--dry-run"], tmp_path, **env_for(http_fake)
    )
    assert done.returncode == ExitCode.OK, done.stderr
    assert "Dry run: nothing is uploaded" in done.stdout
    assert "street_001: image=" in done.stdout
    assert "Dry run, nothing was stored:" in done.stdout
    assert re.search(r"files to upload +8 ", done.stdout), done.stdout
    assert re.search(r"units to create +5\n", done.stdout), done.stdout
    now = state(http_fake)
    assert now["data_files"] == [] and now["data_units"] == [] and now["chunked_uploads"] == []
    calls = {op for op, n in now["operation_calls"].items() if n}
    # Reads only: the collection, the v2 probe, one checksum lookup per file.
    assert calls == {"getDataCollection", "v2GetDataCollection", "v2ListDataFiles"}


def test_resume_after_failed_groups(
    dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any
) -> None:
    journal = tmp_path / "journal.sqlite3"
    args = ["upload", str(dataset), "--collection", "1", "--project", "1"]
    args += ["--journal", str(journal), "--workers", "1", "--json", "--api", "v1"]
    # One data-file POST is rejected: its group fails, the other four are created.
    http_fake.faults.script("createDataFile", status=400, times=1)
    first = run(args, tmp_path, **env_for(http_fake))
    assert first.returncode == ExitCode.FAILED, first.stderr
    doc = json.loads(first.stdout)
    assert doc["exit_code"] == 1
    assert doc["result"]["units_created"] == 4 and doc["result"]["failed"] == 1
    assert doc["result"]["failures"][0]["reason"] == "upload_failed"
    assert len(state(http_fake)["data_units"]) == 4

    second = run(args, tmp_path, **env_for(http_fake))
    assert second.returncode == ExitCode.OK, second.stderr
    result = json.loads(second.stdout)["result"]
    assert result["units_created"] == 1 and result["units_already_present"] == 4
    assert result["files_uploaded"] == 1 and result["failed"] == 0
    now = state(http_fake)
    stems = Counter(u["meta"]["origin_file_stem"] for u in now["data_units"])
    assert sorted(stems) == [f"street_00{i}" for i in range(1, 6)]
    assert set(stems.values()) == {1}  # no duplicate unit
    assert len(now["tasks"]) == 5


def test_failed_groups_are_reported_one_line_each(
    dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any
) -> None:
    http_fake.faults.script("createDataFile", status=400, times=1)
    args = ["upload", str(dataset), "--collection", "1", "--workers", "1", "--no-resume"]
    done = run(
        [*args, "--api", "v1"],
        tmp_path,
        **env_for(http_fake),
    )
    assert done.returncode == ExitCode.FAILED
    failed = [line for line in done.stdout.splitlines() if line.startswith("  failed street_")]
    assert len(failed) == 1 and "upload_failed" in failed[0] and ".png" in failed[0]
    assert "Re-run the same command to retry them" in done.stdout


def test_wrong_token_is_one_line_and_never_shown(
    dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any
) -> None:
    wrong = "wrong-secret-token-0042"
    for extra in ([], ["-vv"]):
        done = run(
            [*extra, "upload", str(dataset), "--collection", "1"],
            tmp_path,
            **env_for(http_fake, token=wrong),
        )
        assert done.returncode == ExitCode.AUTH
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "authentication failed" in errors[0], done.stderr
        assert "SYNAPSE_ACCESS_TOKEN" in errors[0]
        assert wrong not in done.stdout + done.stderr
        assert done.stdout == ""


def test_token_given_as_flag_is_not_echoed(tmp_path: Path, http_fake: Any) -> None:
    wrong = "flag-secret-token-0099"
    done = run(["--base-url", http_fake.base_url, "--token", wrong, "-v", "collections"], tmp_path)
    assert done.returncode == ExitCode.AUTH
    assert wrong not in done.stdout + done.stderr


def test_unknown_collection(dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any) -> None:
    for args in (["upload", str(dataset), "--collection", "99"], ["collection", "99"]):
        done = run(args, tmp_path, **env_for(http_fake))
        assert done.returncode == ExitCode.NOT_FOUND
        assert done.stderr.strip().splitlines()[-1].startswith("error: collection 99 not found")


def test_invalid_directory(tmp_path: Path, http_fake: Any, env_for: Any) -> None:
    missing = tmp_path / "nope"
    done = run(["upload", str(missing), "--collection", "1"], tmp_path, **env_for(http_fake))
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.strip() == (
        f"error: {missing}: no such directory; pass a folder with one sub-folder per file "
        "specification (see `synapse-dc collection ID`)"
    )
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    done = run(["upload", str(a_file), "--collection", "1"], tmp_path, **env_for(http_fake))
    assert done.returncode == ExitCode.USAGE and "not a directory" in done.stderr


def test_no_configuration(tmp_path: Path) -> None:
    done = run(["collections"], tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert "no server configured" in done.stderr and "SYNAPSE_BASE_URL" in done.stderr
    assert "--mock" in done.stderr


def test_unreachable_server(tmp_path: Path) -> None:
    done = run(
        ["collections"], tmp_path, SYNAPSE_BASE_URL="http://127.0.0.1:9", SYNAPSE_ACCESS_TOKEN="t"
    )
    assert done.returncode == ExitCode.UNAVAILABLE
    assert "cannot reach the server at http://127.0.0.1:9" in done.stderr


def test_listings(dataset: Path, tmp_path: Path, http_fake: Any, env_for: Any) -> None:
    env = env_for(http_fake)
    assert run(["upload", str(dataset), "--collection", "1"], tmp_path, **env).returncode == 0
    table = run(["units", "--collection", "1", "--page-size", "2"], tmp_path, **env)
    assert table.returncode == 0 and "(5 of 5)" in table.stdout and "street_005" in table.stdout
    limited = json.loads(
        run(["units", "--collection", "1", "--limit", "3", "--json"], tmp_path, **env).stdout
    )
    assert limited["count"] == 5 and len(limited["results"]) == 3
    collections = run(["collections", "--json"], tmp_path, **env)
    assert [c["id"] for c in json.loads(collections.stdout)] == [1, 2]
    detail = run(["collection", "1"], tmp_path, **env)
    assert "image/" in detail.stdout and "jpeg, jpg, png" in detail.stdout
