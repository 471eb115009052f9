"""Every code block of README.md runs, except the few marked ``<!-- norun: why -->``.

Conventions (an HTML comment on the line right before the fence):

* ``python`` blocks are executed in-process under ``mock_synapse(validate=True)`` with
  ``SYNAPSE_BASE_URL``/``SYNAPSE_ACCESS_TOKEN`` pointing at the fake, in a scratch folder holding
  a copy of ``examples/``; ``<!-- run: pytest -->`` blocks are test modules run by pytest there.
* ``sh`` blocks run as one ``bash -eu`` script in that folder with the virtualenv on PATH.
* ``console`` blocks: each ``$`` line is run; every other line must appear in the output.
* ``<!-- run: demo -->`` (one ``console`` block): ``make demo``'s output; the demo is run and its
  stdout and stderr must equal the block once what must vary is normalised
  (:func:`normalise_demo`: rates, elapsed time, the timing-driven interim progress lines).
* ``<!-- norun: reason -->`` skips a block; only the blocks in ``KNOWN_NORUN`` may be skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from tests.conftest import ROOT

from .conftest import clean_env

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
RUNNABLE = {"python", "sh", "console"}
KNOWN_NORUN = {
    "make demo   # upload examples/dataset into a data collection of the embedded fake backend",
    "export SYNAPSE_BASE_URL=https://synapse.example.com",
    "ClientError",
    "make generate          # regenerate generated/synapse_client (fails on generator warnings)",
    "$ make api-diff",
    "pip install 'synapse-dc[s3]'",
    "synapse-dc upload s3://my-bucket/dataset --collection 12 --project 3 \\",
}
_FENCE = re.compile(r"^```(\S*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*(norun|run)\s*:?\s*(.*?)\s*-->$")


@attrs.frozen
class Block:
    line: int
    lang: str
    body: str
    directive: str | None  # "norun", "pytest" or None

    @property
    def first(self) -> str:
        return self.body.splitlines()[0] if self.body else ""


def readme_blocks() -> list[Block]:
    lines = README.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        previous = _DIRECTIVE.match(lines[i - 1].strip()) if i else None
        directive = None
        if previous is not None:
            directive = "norun" if previous.group(1) == "norun" else previous.group(2)
        out.append(Block(i + 1, fence.group(1), "\n".join(lines[i + 1 : end]), directive))
        i = end + 1
    return out


BLOCKS = readme_blocks()
RUN = [b for b in BLOCKS if b.directive != "norun"]


def test_only_the_known_blocks_are_not_run() -> None:
    assert {b.first for b in BLOCKS if b.directive == "norun"} == KNOWN_NORUN
    assert all(b.lang in RUNNABLE for b in RUN), [(b.line, b.lang) for b in RUN]
    assert all(b.directive in (None, "pytest", "demo") for b in RUN)
    assert [b.lang for b in RUN if b.directive == "demo"] == ["console"]
    assert {b.lang for b in RUN} == RUNNABLE  # each kind of block is exercised


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.startswith("# synapse-dc\n")
    assert BLOCKS[0].body.splitlines()[0].startswith("make demo")
    assert BLOCKS[0].body.splitlines()[1].startswith("make test")
    assert "## Benchmarks" in text and "make bench" in text.split("## Benchmarks")[1]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A scratch folder with a copy of ``examples/`` (blocks use relative paths)."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def _shell_env(workdir: Path) -> dict[str, str]:
    env = clean_env(workdir)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _run_python(block: Block, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver import DEFAULT_TOKEN, mock_synapse

    if block.directive == "pytest":
        test_file = workdir / f"test_readme_line_{block.line}.py"
        test_file.write_text(block.body + "\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name],
            cwd=workdir,
            env=clean_env(workdir),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return
    for key in [k for k in os.environ if k.startswith("SYNAPSE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SYNAPSE_BASE_URL", "https://api.synapse.sh")
    monkeypatch.setenv("SYNAPSE_ACCESS_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("XDG_CACHE_HOME", str(workdir / "cache"))
    monkeypatch.chdir(workdir)
    with mock_synapse(base_url="https://api.synapse.sh", validate=True) as fake:
        code = compile(block.body, f"README.md:{block.line}", "exec")
        exec(code, {"__name__": "__main__"})
    assert not fake.contract_violations


def _run_sh(block: Block, workdir: Path) -> None:
    done = subprocess.run(
        ["bash", "-eu", "-o", "pipefail", "-c", block.body],
        cwd=workdir,
        env=_shell_env(workdir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _run_console(block: Block, workdir: Path) -> None:
    output: list[str] = []
    expected: list[str] = []
    for line in block.body.splitlines():
        if not line.startswith("$ "):
            expected.append(line.rstrip())
            continue
        done = subprocess.run(
            ["bash", "-eu", "-c", line[2:]],
            cwd=workdir,
            env=_shell_env(workdir),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        output += [x.rstrip() for x in (done.stdout + done.stderr).splitlines()]
    missing = [line for line in expected if line not in output]
    assert not missing, "README output differs from the command's:\n" + "\n".join(output)


_RATE = re.compile(r"\d+(?:\.\d+)? (?:B|KiB|MiB|GiB|TiB|files|groups|units)/s")
_ELAPSED = re.compile(r"^(  elapsed +)\S.*$")
_ETA = re.compile(r"ETA \d+:\d\d:\d\d")


def normalise_demo(text: str) -> list[str]:
    """The demo's lines with what varies from run to run replaced: rates (``KiB/s``,
    ``files/s``), the elapsed time, ETAs; interim ``progress:`` lines (how many there are and
    what they show depends on timing) are dropped, the final ``(done)`` ones kept."""
    out = []
    for line in text.rstrip("\n").splitlines():
        line = line.rstrip()
        if line.startswith("progress: ") and "(done)" not in line:
            continue
        line = _ETA.sub("ETA <eta>", _RATE.sub("<rate>", line))
        out.append(_ELAPSED.sub(r"\1<elapsed>", line))
    return out


def test_normalise_demo_keeps_what_is_fixed() -> None:
    text = (
        "progress: file content 3.9 KiB / 20.2 KiB  205.8 KiB/s  ETA 0:00:00\n"
        "progress: data units 5/5 groups (done)  216.6 groups/s\n"
        "  files uploaded         8 (20.2 KiB)\n"
        "  elapsed                4 min 05 s\n"
        "  throughput             317.9 files/s, 804.2 KiB/s, 198.7 units/s\n"
    )
    assert normalise_demo(text) == [
        "progress: data units 5/5 groups (done)  <rate>",
        "  files uploaded         8 (20.2 KiB)",
        "  elapsed                <elapsed>",
        "  throughput             <rate>, <rate>, <rate>",
    ]


def _run_demo(block: Block, workdir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "synapse_ext.demo"],
        cwd=workdir,
        env=_shell_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in the order a terminal shows it
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert normalise_demo(done.stdout) == normalise_demo(block.body), done.stdout


@pytest.mark.parametrize("block", RUN, ids=[f"line{b.line}-{b.lang}" for b in RUN])
def test_block_runs(block: Block, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if block.directive == "demo":
        _run_demo(block, workdir)
    elif block.lang == "python":
        _run_python(block, workdir, monkeypatch)
    elif block.lang == "sh":
        _run_sh(block, workdir)
    else:
        _run_console(block, workdir)
