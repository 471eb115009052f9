"""Without the ``mock`` extra: the plugin still loads, and every way in says what to install.

Each check runs in a fresh interpreter where the extra's packages are blocked
(``sys.modules[name] = None`` makes ``import name`` fail as if it were not installed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

BLOCKED = (
    "httptools",
    "multipart",
    "openapi_core",
    "python_multipart",
    "respx",
    "uvicorn",
    "werkzeug",
    "yaml",
)
PRELUDE = f"import sys\nfor name in {BLOCKED!r}:\n    sys.modules[name] = None\n"
HINT = "pip install 'synapse-dc[mock]'"


def _python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), environment.get("PYTHONPATH", "")])
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )


def test_plugin_and_package_import_without_the_extra(tmp_path: Path) -> None:
    done = _python(
        "import mockserver, mockserver.pytest_plugin\n"
        f"assert not any(sys.modules.get(n) for n in {BLOCKED!r})\n"
        "print('imported')",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"


@pytest.mark.parametrize("mode", ["respx", "server"])
def test_mock_synapse_names_the_extra(tmp_path: Path, mode: str) -> None:
    done = _python(
        "from mockserver import MissingExtraError, mock_synapse\n"
        "try:\n"
        f"    with mock_synapse(mode={mode!r}):\n"
        "        pass\n"
        "except MissingExtraError as exc:\n"
        "    print(exc)\n",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert HINT in done.stdout and f"mode='{mode}'" in done.stdout


def test_fixture_without_the_extra_fails_saying_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "test_uses_fake.py").write_text(
        "def test_it(synapse_mock):\n    pass\n", encoding="utf-8"
    )
    done = _python(
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'mockserver.pytest_plugin', 'test_uses_fake.py']))",
        tmp_path,
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the synapse_mock fixture cannot start" in done.stdout
    assert HINT in done.stdout


def test_synapse_mock_serve_without_the_extra(tmp_path: Path) -> None:
    done = _python(
        "from mockserver.cli import main\nsys.exit(main(['serve', '--port', '0']))", tmp_path
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert HINT in done.stderr and "synapse-mock" in done.stderr


def test_cli_mock_option_without_the_extra(tmp_path: Path) -> None:
    done = _python(
        "from synapse_ext.cli import main\nsys.exit(main(['--mock', 'collections']))",
        tmp_path,
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert HINT in done.stderr and "--mock" in done.stderr
