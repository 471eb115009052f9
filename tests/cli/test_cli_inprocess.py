"""``synapse-dc`` in-process (click's CliRunner): ``--mock``, and against ``mock_synapse``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver import DEFAULT_TOKEN, mock_synapse
from synapse_ext.cli import ExitCode

from .conftest import state

MOCK_URL = "https://api.synapse.sh"


def test_mock_upload_json_is_the_only_stdout(invoke: Any, dataset: Path) -> None:
    result = invoke(
        "--mock", "upload", str(dataset), "--collection", "1", "--project", "1", "--json"
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    doc = json.loads(result.stdout)  # nothing else on stdout
    assert doc["mock"] is True and doc["exit_code"] == 0 and doc["dry_run"] is False
    assert doc["organize"]["groups"] == 5
    assert doc["organize"]["skipped"] == {"extension_not_allowed": 1, "missing_required_spec": 1}
    assert {i["group"] for i in doc["organize"]["issues"]} == {"street_006", "street_099"}
    res = doc["result"]
    assert res["groups"] == 5 and res["units_created"] == 5 and res["tasks_created"] == 5
    assert res["files_uploaded"] == 8 and res["failures"] == [] and res["success"] is True
    assert "mock mode" in result.stderr and "temporary folder" in result.stderr
    assert "progress:" not in result.stderr  # no progress with --json


@pytest.mark.parametrize("api", ["v2", "auto"])
def test_mock_upload_through_v2(invoke: Any, dataset: Path, api: str) -> None:
    args = ["--mock", "upload", str(dataset), "--collection", "1", "--project", "1"]
    result = invoke(*args, "--api", api, "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    res = json.loads(result.stdout)["result"]
    assert res["api"] == "v2" and res["units_created"] == res["tasks_created"] == 5
    assert res["files_uploaded"] == 8 and res["success"] is True
    summary = invoke(*args, "--api", api)  # each --mock run is a fresh fake
    assert summary.exit_code == ExitCode.OK, summary.stderr
    assert "v2 (presigned uploads)" in summary.stdout + summary.stderr


@pytest.mark.parametrize(
    ("api", "extra"), [("v1", ()), ("auto", ()), ("v1", ("--dry-run",)), ("auto", ("--dry-run",))]
)
def test_mock_upload_fetches_the_collection_once(
    invoke: Any, dataset: Path, monkeypatch: pytest.MonkeyPatch, api: str, extra: tuple[str, ...]
) -> None:
    """The command fetches the collection to organize; the ingestion reuses it (auto also
    asks the v2 endpoint, once, whether the server speaks v2)."""
    import mockserver

    fakes: list[Any] = []
    real = mockserver.mock_synapse

    @contextlib.contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with real(*args, **kwargs) as handle:
            fakes.append(handle)
            yield handle

    monkeypatch.setattr(mockserver, "mock_synapse", recording)
    args = ["--mock", "upload", str(dataset), "--collection", "1", "--project", "1"]
    result = invoke(*args, "--api", api, "--json", *extra)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["result"]["units_created"] == 5
    [fake] = fakes
    ops = [c.operation_id for c in fake.calls]
    assert ops.count("getDataCollection") == 1, ops
    assert ops.count("v2GetDataCollection") == (1 if api == "auto" else 0), ops


def test_mock_dry_run_json_lists_the_plan(invoke: Any, dataset: Path) -> None:
    result = invoke("--mock", "upload", str(dataset), "--collection", "1", "--dry-run", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["dry_run"] is True and doc["result"]["dry_run"] is True
    assert doc["result"]["units_created"] == 5 and doc["result"]["files_uploaded"] == 8
    assert [p["group"] for p in doc["plan"]] == [f"street_00{i}" for i in range(1, 6)]
    assert set(doc["plan"][0]["files"]) == {"image", "annotation"}


def test_plain_progress_lines(invoke: Any, dataset: Path) -> None:
    result = invoke("--mock", "upload", str(dataset), "--collection", "1", "--progress", "plain")
    assert result.exit_code == 0
    assert "progress: data units 5/5 groups (done)" in result.stderr
    # The bytes bar knew its total from the start (what organize listed).
    assert "progress: file content 20.2 KiB / 20.2 KiB (done)" in result.stderr
    assert "Summary:" in result.stdout
    last, before = result.stdout.strip().splitlines()[-1], result.stdout.strip().splitlines()[-2]
    assert before.split()[0] == "elapsed" and before.split()[-1] == "s"
    assert last.startswith("  throughput") and "files/s" in last and "units/s" in last


def test_bar_progress_forced_without_a_terminal(invoke: Any, dataset: Path) -> None:
    result = invoke(
        "--mock", "upload", str(dataset), "--collection", "1", "--progress", "bar",
        "--chunked-threshold", "1KiB", "--chunk-size", "1k",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "data units" in result.stderr and "file content" in result.stderr


def test_against_mock_synapse_with_faults(invoke: Any, dataset: Path) -> None:
    with mock_synapse(base_url=MOCK_URL) as fake:
        fake.faults.script("createDataFile", status=400, times=1)
        args = ["--base-url", MOCK_URL, "--token", DEFAULT_TOKEN]
        args += ["upload", str(dataset), "--collection", "1", "--workers", "1", "--api", "v1"]
        first = invoke(*args)
        assert first.exit_code == ExitCode.FAILED
        assert "failed                 1" in first.stdout
        assert len(state(fake)["data_units"]) == 4
        second = invoke(*args)  # default journal (under XDG_CACHE_HOME): resumes
        assert second.exit_code == ExitCode.OK
        assert "units already present  4" in second.stdout
        assert len(state(fake)["data_units"]) == 5


def test_restart_forgets_the_journal_but_creates_no_duplicates(
    invoke: Any, dataset: Path, tmp_path: Path
) -> None:
    journal = str(tmp_path / "j.sqlite3")
    with mock_synapse(base_url=MOCK_URL) as fake:
        args = ["--base-url", MOCK_URL, "--token", DEFAULT_TOKEN, "upload", str(dataset)]
        args += ["--collection", "1", "--journal", journal, "--json"]
        assert invoke(*args).exit_code == 0
        again = invoke(*args, "--restart")
        assert again.exit_code == 0 and "--restart: forgot" in again.stderr
        assert json.loads(again.stdout)["result"]["units_already_present"] == 5
        assert len(state(fake)["data_units"]) == 5


def test_server_failure_exit_code(invoke: Any, dataset: Path) -> None:
    with mock_synapse(base_url=MOCK_URL) as fake:
        fake.faults.script("getDataCollection", status=500, times=10)
        result = invoke("--base-url", MOCK_URL, "--token", DEFAULT_TOKEN, "collection", "1")
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert result.stderr.startswith("error: the server failed at https://api.synapse.sh (500")


def test_forbidden_tenant_is_an_auth_error(invoke: Any) -> None:
    with mock_synapse(base_url=MOCK_URL):
        result = invoke(
            "--base-url", MOCK_URL, "--token", DEFAULT_TOKEN, "--tenant", "other", "collections"
        )
    assert result.exit_code == ExitCode.AUTH
    assert "not allowed" in result.stderr and "--tenant" in result.stderr


def test_usage_errors(invoke: Any, dataset: Path, tmp_path: Path) -> None:
    both = invoke(
        "--mock", "upload", str(dataset), "--collection", "1",
        "--journal", str(tmp_path / "j"), "--no-resume",
    )  # fmt: skip
    assert both.exit_code == ExitCode.USAGE and "exclude each other" in both.stderr
    bad_size = invoke("--mock", "upload", str(dataset), "--collection", "1", "--chunk-size", "5x")
    assert bad_size.exit_code == ExitCode.USAGE and "is not a size" in bad_size.stderr
    bad_batch = invoke("--mock", "upload", str(dataset), "--collection", "1", "--batch-size", "0")
    assert bad_batch.exit_code == ExitCode.USAGE
    missing = invoke("--mock", "upload", str(dataset))
    assert missing.exit_code == ExitCode.USAGE and "--collection" in missing.stderr


def test_no_token(invoke: Any) -> None:
    result = invoke("collections", env={"SYNAPSE_BASE_URL": MOCK_URL})
    assert result.exit_code == ExitCode.USAGE
    assert (
        result.stderr.strip() == "error: no access token: pass --token or set SYNAPSE_ACCESS_TOKEN"
    )


def test_interrupt_exits_130(invoke: Any, dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import synapse_ext.cli.cmd_upload as cmd_upload

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cmd_upload, "upload_data_collection", interrupted)
    result = invoke("--mock", "upload", str(dataset), "--collection", "1")
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "interrupted; re-run the same command to resume" in result.stderr


def test_mock_listings(invoke: Any) -> None:
    listed = invoke("--mock", "collections")
    assert listed.exit_code == 0 and "Demo images" in listed.stdout
    units = invoke("--mock", "units", "--collection", "1", "--json")
    assert json.loads(units.stdout) == {"count": 0, "results": []}
    missing = invoke("--mock", "units", "--collection", "42")
    assert missing.exit_code == ExitCode.NOT_FOUND


def test_mock_ignores_configured_credentials(invoke: Any) -> None:
    result = invoke("--mock", "collections", env={"SYNAPSE_ACCESS_TOKEN": "user-real-token"})
    assert result.exit_code == 0
    assert "ignoring the configured server" in result.stderr
    assert "user-real-token" not in result.stdout + result.stderr


def test_help_documents_exit_codes(invoke: Any) -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Exit codes: 0 ok; 1 some groups failed" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ((), {"start": 8, "ceiling": 48}),
        (("--workers", "4"), {"start": 4, "ceiling": 4}),
        (("--fixed-workers",), None),
    ],
)
def test_workers_are_adaptive_unless_fixed(
    invoke: Any, dataset: Path, extra: tuple[str, ...], expected: dict[str, int] | None
) -> None:
    with mock_synapse(base_url=MOCK_URL):
        args = ["--base-url", MOCK_URL, "--token", DEFAULT_TOKEN, "upload", str(dataset)]
        result = invoke(*args, "--collection", "1", "--no-resume", "--json", *extra)
    assert result.exit_code == 0, result.stderr
    concurrency = json.loads(result.stdout)["result"]["concurrency"]
    if expected is None:
        assert concurrency is None
    else:
        assert {k: concurrency[k] for k in expected} == expected


def test_a_setting_the_flags_cannot_hold_is_a_usage_error_naming_the_flag(
    invoke: Any, dataset: Path
) -> None:
    result = invoke("--mock", "upload", str(dataset), "--collection", "1", "--project", "0")
    assert result.exit_code == ExitCode.USAGE
    assert "--project: project_id must be an integer >= 1, not 0" in result.stderr
