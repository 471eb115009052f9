"""Fixtures of the CLI tests: a copy of the example dataset, the fake over HTTP, runners."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "dataset"
TOKEN = "cli-secret-token-7f3a"


def synapse_dc() -> list[str]:
    """The installed console script (as a user runs it), else the module."""
    script = Path(sys.executable).parent / "synapse-dc"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from synapse_ext.cli import main; sys.exit(main())"]


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment without the user's SYNAPSE_* settings; caches under ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    env.update(XDG_CACHE_HOME=str(tmp / "cache"), COLUMNS="200", NO_COLOR="1")
    env.update(extra)
    return env


def run(
    args: Sequence[str], tmp: Path, *, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``synapse-dc ARGS`` in a subprocess; stdout and stderr captured apart."""
    return subprocess.run(
        [*synapse_dc(), *args],
        capture_output=True,
        text=True,
        env=clean_env(tmp, **env),
        cwd=tmp,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A private copy of ``examples/dataset`` (5 valid groups, 2 skipped items)."""
    target = tmp_path / "dataset"
    shutil.copytree(EXAMPLES, target)
    return target


@pytest.fixture
def http_fake() -> Iterator[Any]:
    """The fake over real HTTP (uvicorn in a thread), accepting ``TOKEN``; state inspectable."""
    from mockserver import mock_synapse

    with mock_synapse(mode="server", token=TOKEN) as fake:
        yield fake


@pytest.fixture
def env_for(tmp_path: Path) -> Any:
    """``env_for(fake)``: SYNAPSE_* variables pointing at a fake."""

    def build(fake: Any, token: str = TOKEN) -> dict[str, str]:
        return {"SYNAPSE_BASE_URL": fake.base_url, "SYNAPSE_ACCESS_TOKEN": token}

    return build


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """In-process ``synapse-dc`` (click's CliRunner), caches under tmp_path, no SYNAPSE_* env."""
    for key in list(os.environ):
        if key.startswith("SYNAPSE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from synapse_ext.cli import cli

    def call(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return call


def state(fake: Any) -> dict[str, Any]:
    """The fake's state (no tokens)."""
    snapshot: dict[str, Any] = fake.state()
    return snapshot
