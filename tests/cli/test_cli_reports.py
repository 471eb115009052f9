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
