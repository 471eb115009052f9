"""Pure pieces of the CLI: sizes, plain progress, redaction, the layering exception."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rich.progress import Progress

from synapse_ext.cli.live import PlainProgress, RichProgress, _AmountColumn
from synapse_ext.cli.output import Output
from synapse_ext.cli.report import format_duration
from synapse_ext.cli.sizes import format_size, parse_size
from synapse_ext.progress import set_total
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1048576", 1048576),
        ("8M", 8 * 1024**2),
        ("50MiB", 50 * 1024**2),
        ("50mib", 50 * 1024**2),
        ("64k", 65536),
        ("1GB", 10**9),
        ("1.5GiB", 3 * 1024**3 // 2),
        ("100B", 100),
        (" 2 MB ", 2_000_000),
    ],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "x", "5x", "-1", "0", "1.2.3M", "MiB"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"size|byte"):
        parse_size(text)


def test_format_size() -> None:
    assert [format_size(n) for n in (0, 1023, 1024, 20721, 50 * 1024**2)] == [
        "0 B",
        "1023 B",
        "1.0 KiB",
        "20.2 KiB",
        "50.0 MiB",
    ]


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0.4213, 12.34, 245, 7385)] == [
        "0.42 s",
        "12.3 s",
        "4 min 05 s",
        "2 h 03 min",
    ]


def test_plain_progress_throttles_and_always_ends() -> None:
    lines: list[str] = []
    now = [0.0]
    reporter = PlainProgress(lines.append, interval=1.0, clock=lambda: now[0])
    with reporter.task(total=3, desc="data units", unit="group") as task:
        task.advance(1)
        task.advance(1)  # same instant: throttled
        now[0] = 2.0
        task.advance(1)
    assert lines == [
        "progress: data units 1/3 groups",
        "progress: data units 3/3 groups  0.9 groups/s  ETA 0:00:00",  # smoothed
        "progress: data units 3/3 groups (done)  1.5 groups/s",
    ]
    with reporter.task(desc="file content", unit="B") as task:
        pass
    assert lines[-1] == "progress: file content 0 B (done)"


def test_plain_progress_shows_rate_and_eta_against_a_total_set_later() -> None:
    lines: list[str] = []
    now = [0.0]
    reporter = PlainProgress(lines.append, interval=1.0, clock=lambda: now[0])
    with reporter.task(desc="file content", unit="B") as task:
        set_total(task, 4096)
        now[0] = 1.0
        task.advance(1024)  # the first step starts the measure
        now[0] = 3.0
        task.advance(1024)  # 512 B/s since, 2 KiB to go
    assert lines[:2] == [
        "progress: file content 1.0 KiB / 4.0 KiB",
        "progress: file content 2.0 KiB / 4.0 KiB  512 B/s  ETA 0:00:04",
    ]


def test_redaction() -> None:
    out = Output()
    out.add_secret("super-secret-1")
    out.add_secret("abc")  # too short to mask without garbling output
    assert out.redact("token super-secret-1 abc") == "token *** abc"


def _mockserver_imports(path: Path) -> list[tuple[int, bool]]:
    """(line, at module level) of each mockserver import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found: list[tuple[int, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        if any(n.split(".")[0] == "mockserver" for n in names):
            found.append((node.lineno, id(node) in top))
    return found


def test_only_the_cli_fake_module_imports_mockserver_and_lazily() -> None:
    users = {}
    for path in sorted((ROOT / "synapse_ext").rglob("*.py")):
        imports = _mockserver_imports(path)
        if imports:
            users[path.relative_to(ROOT).as_posix()] = imports
    assert set(users) == {"synapse_ext/cli/fake.py"}
    assert all(not module_level for _, module_level in users["synapse_ext/cli/fake.py"])


def test_importing_the_cli_does_not_load_mockserver() -> None:
    import subprocess
    import sys

    code = "import sys, synapse_ext.cli, synapse_ext.demo; print('mockserver' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_rich_bars_show_the_smoothed_rate_and_eta_and_the_average_once_done() -> None:
    now = [0.0]
    progress = Progress(get_time=lambda: now[0])
    reporter = RichProgress(progress, clock=lambda: now[0])
    column = _AmountColumn()
    with reporter.task(total=4096, desc="file content", unit="B") as task:
        task.advance(1024)  # a burst at once: no rate from it
        assert column.render(progress.tasks[0]).plain == "1.0 KiB / 4.0 KiB"
        now[0] = 2.0
        task.advance(1024)  # 1 KiB in the 2 s since: 512 B/s, 2 KiB to go
        assert column.render(progress.tasks[0]).plain == "2.0 KiB / 4.0 KiB  512 B/s  ETA 0:00:04"
    assert column.render(progress.tasks[0]).plain == "4.0 KiB / 4.0 KiB  2.0 KiB/s"
