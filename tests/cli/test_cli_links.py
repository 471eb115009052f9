"""``synapse-dc upload``: links leading out of SOURCE are skipped and reported; --follow-links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synapse_ext.cli import ExitCode

SECRET = "outside-content-must-never-be-read"


def _links(dataset: Path, tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "conf").mkdir(parents=True)
    (outside / "host.png").write_text(SECRET)
    (outside / "conf" / "street_777.png").write_text(SECRET)
    (dataset / "image" / "host.png").symlink_to(outside / "host.png")
    (dataset / "image" / "etcdir").symlink_to(outside / "conf", target_is_directory=True)
    (dataset / "image" / "up2").symlink_to(Path("..") / "..", target_is_directory=True)
    return outside


def test_upload_skips_links_outside_and_says_which(
    invoke: Any, dataset: Path, tmp_path: Path
) -> None:
    outside = _links(dataset, tmp_path)
    result = invoke("--mock", "upload", str(dataset), "--collection", "1", "--dry-run")
    assert result.exit_code == ExitCode.OK, result.stderr  # skips are reported, not failures
    out = result.stdout + result.stderr
    for name in ["host.png", "etcdir", "up2"]:
        assert f"skipped {dataset / 'image' / name}: link_outside_root: " in result.stdout
    assert str(outside) not in out and SECRET not in out
    assert "host:" not in result.stdout and "street_777" not in out
    assert "outside the root followed" not in out


def test_upload_follow_links_json(invoke: Any, dataset: Path, tmp_path: Path) -> None:
    _links(dataset, tmp_path)
    args = ["--mock", "upload", str(dataset), "--collection", "1", "--dry-run", "--json"]
    confined = json.loads(invoke(*args).stdout)
    assert confined["organize"]["skipped"]["link_outside_root"] == 3
    assert confined["organize"]["follow_links"] is False
    assert "host" not in {p["group"] for p in confined["plan"]}

    followed = invoke(*args, "--follow-links")
    assert followed.exit_code == ExitCode.OK, followed.stderr
    doc = json.loads(followed.stdout)
    assert doc["organize"]["follow_links"] is True
    assert doc["organize"]["links_outside_followed"] == 3
    assert "link_outside_root" not in doc["organize"]["skipped"]
    assert "street_777" in {p["group"] for p in doc["plan"]}  # from outside/conf
    # up2 walks all of tmp_path: outside/host.png is met twice, as the old behaviour did.
    assert "host" in {i["group"] for i in doc["organize"]["issues"] if i["group"]}


def test_upload_follow_links_line(invoke: Any, dataset: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_text("png")
    (dataset / "image" / "host.png").symlink_to(outside)
    args = ["--mock", "upload", str(dataset), "--collection", "1", "--follow-links"]
    result = invoke(*args)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "1 link outside the root followed (--follow-links)" in result.stdout
    assert "link_outside_root" not in result.stdout
    assert "units created          6" in result.stdout  # the 5 groups and host
