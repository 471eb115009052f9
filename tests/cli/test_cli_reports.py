"""What ``synapse-dc upload`` reports tells the truth: resent files, empty sources, folders
named like files, unusable journals, out-of-range sizes, the tasks a dry run would create."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mockserver import DEFAULT_TOKEN, mock_synapse
from synapse_ext.cli import ExitCode

MOCK_URL = "https://api.synapse.sh"


def _upload(invoke: Any, source: Path, *extra: str) -> Any:
    args = ["--base-url", MOCK_URL, "--token", DEFAULT_TOKEN, "upload", str(source)]
    return invoke(*args, "--collection", "1", *extra)


# -- files sent again -----------------------------------------------------------------------
def test_a_rerun_without_journal_says_what_it_sent_again(invoke: Any, dataset: Path) -> None:
    with mock_synapse(base_url=MOCK_URL):
        first = _upload(invoke, dataset, "--no-resume", "--api", "v2")
        assert first.exit_code == ExitCode.OK, first.stderr
        assert "files already present  0\n" in first.stdout
        again = _upload(invoke, dataset, "--no-resume", "--api", "v2")
        as_json = _upload(invoke, dataset, "--no-resume", "--api", "v2", "--json")
    assert again.exit_code == ExitCode.OK, again.stderr
    # The 8 example files are small: uploaded without a lookup, finalize reused them.
    assert "files uploaded         0 (0 B)" in again.stdout
    assert "files already present  8 (8 sent again, 20.2 KiB:" in again.stdout
    result = json.loads(as_json.stdout)["result"]
    assert result["files_already_present"] == result["files_resent"] == 8
    assert result["bytes_resent"] == result["bytes_sent"] > 0 and result["files_uploaded"] == 0


def test_a_v1_rerun_sends_nothing_again(invoke: Any, dataset: Path) -> None:
    with mock_synapse(base_url=MOCK_URL):
        assert _upload(invoke, dataset, "--no-resume", "--api", "v1").exit_code == 0
        again = _upload(invoke, dataset, "--no-resume", "--api", "v1", "--json")
    result = json.loads(again.stdout)["result"]
    assert result["files_already_present"] == 8
    assert result["files_resent"] == result["bytes_resent"] == result["bytes_sent"] == 0


# -- a source that organizes into nothing ---------------------------------------------------
def test_an_empty_source_ends_with_a_hint_and_exit_0(invoke: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    only_unknown = tmp_path / "unknown"
    (only_unknown / "photos").mkdir(parents=True)
    (only_unknown / "photos" / "a.jpg").write_bytes(b"x")
    for source in (empty, only_unknown):
        result = invoke("--mock", "upload", str(source), "--collection", "1")
        # Nothing to do is not a failure (exit 0, as a run with nothing new).
        assert result.exit_code == ExitCode.OK, result.stderr
        last = result.stdout.strip().splitlines()[-1]
        assert last.startswith(f"hint: nothing to upload from {source}: the expected layout")
        assert "<root>/<spec>/<stem>.<ext>" in last
        assert "(image (required), annotation, metadata)" in last
    as_json = invoke("--mock", "upload", str(empty), "--collection", "1", "--json")
    assert "<root>/<spec>/<stem>.<ext>" in json.loads(as_json.stdout)["hint"]
    dry = invoke("--mock", "upload", str(empty), "--collection", "1", "--dry-run")
    assert dry.exit_code == ExitCode.OK and "hint: nothing to upload" in dry.stdout


def test_a_source_with_groups_has_no_hint(invoke: Any, dataset: Path) -> None:
    result = invoke("--mock", "upload", str(dataset), "--collection", "1", "--json")
    assert json.loads(result.stdout)["hint"] is None


# -- a folder named like a file --------------------------------------------------------------
def test_a_folder_named_like_a_file_is_reported(invoke: Any, dataset: Path) -> None:
    (dataset / "image" / "x.png").mkdir()
    (dataset / "image" / "2024.v1").mkdir()  # no image extension: an ordinary subfolder
    result = invoke("--mock", "upload", str(dataset), "--collection", "1", "--dry-run")
    assert result.exit_code == ExitCode.OK, result.stderr
    line = f"  skipped {dataset / 'image' / 'x.png'}: not_regular_file: a folder named like"
    assert line in result.stdout
    assert "2024.v1" not in result.stdout
    assert "; 3 skipped:" in result.stdout  # the example's 2, and the folder


# -- an unusable journal ---------------------------------------------------------------------
def test_an_unusable_journal_names_its_path_cause_and_fix(
    invoke: Any, dataset: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database, " * 100)
    under_file = tmp_path / "plain.txt"
    under_file.write_text("x")
    cases = {
        folder: "is a folder; pass a file path such as",
        corrupt: "not a journal (corrupt, or another kind of file); move it away",
        under_file / "j.sqlite3": "a parent of it is a file, not a folder; pass --journal with",
    }
    with mock_synapse(base_url=MOCK_URL):
        for path, expected in cases.items():
            result = _upload(invoke, dataset, "--journal", str(path))
            assert result.exit_code == ExitCode.USAGE, result.stdout
            assert result.stderr.startswith(f"error: journal {path}: {expected}"), result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
            assert "--no-resume" in result.stderr


def test_a_journal_without_permission_says_so() -> None:
    import errno

    from synapse_ext.cli.exits import journal_unusable

    path = Path("/nowhere/j.sqlite3")
    error = journal_unusable(path, PermissionError(errno.EACCES, "Permission denied"))
    assert error.code == ExitCode.USAGE
    assert error.message.startswith(f"journal {path}: permission denied")
    assert "--journal with another file path, or --no-resume" in error.message


# -- sizes within the API's bounds -----------------------------------------------------------
def test_sizes_out_of_range_are_usage_errors(invoke: Any, dataset: Path) -> None:
    for option in ("--chunk-size", "--chunked-threshold"):
        result = invoke("--mock", "upload", str(dataset), "--collection", "1", option, "999999G")
        assert result.exit_code == ExitCode.USAGE
        assert f"Invalid value for '{option}': 999999G is out of range" in result.stderr
        assert "(allowed: 1 B to 5.0 GiB)" in result.stderr
    largest = invoke(
        "--mock", "upload", str(dataset), "--collection", "1", "--chunk-size", "5GiB", "--dry-run"
    )
    assert largest.exit_code == ExitCode.OK, largest.stderr


# -- the tasks a dry run would create --------------------------------------------------------
def test_the_dry_run_says_how_many_tasks_project_would_create(invoke: Any, dataset: Path) -> None:
    with mock_synapse(base_url=MOCK_URL):
        for api in ("v1", "v2"):
            dry = _upload(invoke, dataset, "--project", "1", "--dry-run", "--api", api, "--json")
            assert json.loads(dry.stdout)["result"]["tasks_created"] == 5, api
        human = _upload(invoke, dataset, "--project", "1", "--dry-run")
        assert "tasks to create        5 (project 1)" in human.stdout
        assert "tasks to create" not in _upload(invoke, dataset, "--dry-run").stdout
        # The units exist but have no task yet: a run would still create their 5 tasks.
        assert _upload(invoke, dataset, "--no-resume", "--api", "v2").exit_code == 0
        for api in ("v1", "v2"):
            dry = _upload(invoke, dataset, "--project", "1", "--dry-run", "--api", api, "--json")
            result = json.loads(dry.stdout)["result"]
            assert result["units_already_present"] == 5 and result["tasks_created"] == 5, api
        # Once they have their tasks, v2 asks the server's dry run: none to create.
        assert _upload(invoke, dataset, "--project", "1", "--no-resume").exit_code == 0
        dry = _upload(invoke, dataset, "--project", "1", "--dry-run", "--api", "v2", "--json")
        assert json.loads(dry.stdout)["result"]["tasks_created"] == 0
