"""Users get types: the built wheel, installed on its own, type-checks under ``mypy --strict``.

The wheel is built from this checkout, installed without dependencies into a fresh venv (its
dependencies come from this venv's site-packages through a ``.pth`` line, which does not run
this checkout's editable install), and ``mypy --strict`` checks a user's file against that
venv: every ``reveal_type`` must be a model, not ``Any``, and no import may be untyped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

USER_FILE = textwrap.dedent(
    """
    from mockserver import mock_synapse
    from synapse_ext import AsyncSynapseClient, SynapseClient, upload_data_collection


    def main() -> None:
        with mock_synapse() as fake:
            client = SynapseClient(fake.base_url, "demo-token")
            collection = client.get_collection(1)
            reveal_type(collection)
            for unit in client.iter_units(collection_id=1):
                reveal_type(unit)
            reveal_type(upload_data_collection(client, 1, []))
            reveal_type(fake)


    async def amain() -> None:
        async with AsyncSynapseClient("http://synapse.example", "token") as client:
            reveal_type(await client.get_collection(1))
    """
)

REVEALED = [
    "synapse_client.models.data_collection.DataCollection",
    "synapse_client.models.data_unit.DataUnit",
    "synapse_ext.ingest.results.IngestResult",
    "mockserver.mock.MockSynapse",
    "synapse_client.models.data_collection.DataCollection",
]


def _run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``cmd`` in ``cwd`` (never this checkout: ``python -c`` puts its folder on the path)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--disable-pip-version-check",
        "--wheel-dir",
        out,
        ROOT,
        cwd=out,
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("synapse_dc-*.whl")
    return found


def test_wheel_ships_py_typed_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("synapse_ext", "mockserver", "synapse_client"):
        assert f"{package}/py.typed" in names, f"{package} ships no py.typed"


def test_installed_wheel_gives_a_users_checker_the_models(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run(python, "-c", purelib, cwd=tmp_path).stdout.strip())
    installed = _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        "--disable-pip-version-check",
        "--target",
        site,
        wheel,
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    # The dependencies (httpx, attrs, ...) from this venv; its .pth files (the editable
    # install of this checkout among them) are not run for a directory added this way.
    (site / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = _run(python, "-c", "import synapse_ext; print(synapse_ext.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout

    user = tmp_path / "user" / "pipeline.py"
    user.parent.mkdir()
    user.write_text(USER_FILE)
    checked = _run(
        Path(sys.executable).parent / "mypy",
        "--strict",
        "--no-incremental",
        "--python-executable",
        python,
        user.name,
        cwd=user.parent,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in checked.stdout.splitlines()
        if "Revealed type is" in line
    ]
    assert revealed == REVEALED, checked.stdout
