"""organize() of an s3:// source gives the same groups and the same report as the same tree on
disk (moto's S3 server as the source)."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from synapse_ext import OrganizeResult, SourceError, SourcePath, organize
from synapse_ext.sources import SourceUnreachableError, resolve_source
from tests.conftest import ROOT

from .conftest import closed_port, upload_tree

pytestmark = pytest.mark.slow

EXAMPLES = ROOT / "examples" / "dataset"


def _tree(root: Path) -> Path:
    """The example dataset plus one of every kind of skip a bucket can hold."""
    shutil.copytree(EXAMPLES, root)
    (root / "image" / "nested" / "deeper").mkdir(parents=True)
    (root / "image" / "nested" / "deeper" / "street_007.png").write_bytes(b"png 7")
    (root / "image" / "nested" / "street_001.jpg").write_bytes(b"duplicate stem")
    (root / "image" / "street_011.png").mkdir()  # a folder named like a file
    (root / "image" / "street_011.png" / "street_012.png").write_bytes(b"png 12")
    (root / "image" / "@eaDir").mkdir()
    (root / "image" / "@eaDir" / "thumb.png").write_bytes(b"thumb")
    (root / "image" / ".DS_Store").write_bytes(b"x")
    (root / "image" / "street_010.png").write_bytes(b"")
    (root / "videos").mkdir()
    (root / "videos" / "v.mp4").write_bytes(b"video")
    (root / "README.txt").write_bytes(b"outside")
    (root / "metadata").mkdir()
    (root / "metadata" / "street_002.csv").write_bytes(b"a,b\n1,2\n")
    return root


def _relative(value: object, prefix: str) -> str:
    return str(value).replace(prefix, "<root>")


def _shape(result: OrganizeResult, prefix: str) -> dict[str, Any]:
    """Groups and report with the root replaced by ``<root>``: comparable across sources."""
    return {
        "groups": [
            (g.key, {s: _relative(p, prefix) for s, p in g.files.items()}, dict(g.meta))
            for g in result.groups
        ],
        "issues": [
            (
                str(i.reason),
                _relative(i.message, prefix),
                _relative(i.path, prefix) if i.path is not None else None,
                i.group,
                i.spec,
                [_relative(p, prefix) for p in i.paths],
            )
            for i in result.report.issues
        ],
        "files_seen": result.report.files_seen,
        "system_skipped": result.report.system_skipped,
    }


@pytest.mark.parametrize("recursive", [True, False])
def test_s3_source_organizes_like_the_same_tree_on_disk(
    s3: Any, bucket: str, s3_endpoint: str, tmp_path: Path, recursive: bool
) -> None:
    local = _tree(tmp_path / "ds")
    url = upload_tree(s3, local, bucket, "datasets/ds")
    s3.put_object(Bucket=bucket, Key="datasets/ds/videos/", Body=b"")  # a folder marker object
    specs = [
        {"name": "image", "is_required": True, "is_primary": True, "extensions": ["png", "jpg"]},
        {"name": "annotation", "extensions": ["json"]},
        {"name": "metadata", "extensions": ["csv"]},
    ]
    on_disk = organize(local, specs, recursive=recursive)
    remote = organize(url, specs, recursive=recursive, source_options={"endpoint_url": s3_endpoint})
    assert _shape(remote, url) == _shape(on_disk, str(local))
    assert on_disk.groups and on_disk.report.issues  # the comparison is not vacuous
    one = remote.groups[0].files["image"]
    assert isinstance(one, SourcePath) and one.url.startswith(f"s3://{bucket}/")
    assert one.size == (local / "image" / one.name).stat().st_size
    assert one.md5_etag is not None  # single-part PUT: the ETag has the form of an MD5


def test_file_urls_are_local_paths(tmp_path: Path) -> None:
    local = _tree(tmp_path / "ds")
    where = resolve_source(local.as_uri())
    assert where == local and isinstance(where, Path)
    specs = [{"name": "image", "is_required": True, "extensions": ["png"]}]
    assert _shape(organize(local.as_uri(), specs), str(local)) == _shape(
        organize(local, specs), str(local)
    )


def test_bad_sources_raise_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, bucket: str, s3_endpoint: str
) -> None:
    specs = [{"name": "image", "extensions": ["png"]}]
    with pytest.raises(SourceError, match="not a known source scheme"):
        organize("nosuchscheme://a/b", specs)
    with pytest.raises(SourceError, match=r"pip install 'synapse-dc\[gcs\]'"):
        organize("gs://bucket/prefix", specs)  # gcsfs is not installed here
    with pytest.raises(SourceError, match="no such bucket"):
        organize(f"s3://{bucket}-missing/ds", specs, source_options={"endpoint_url": s3_endpoint})
    with pytest.raises(SourceError, match="no such bucket, folder or prefix"):
        organize(f"s3://{bucket}/nothing-here", specs, source_options={"endpoint_url": s3_endpoint})
    dead = {
        "endpoint_url": f"http://127.0.0.1:{closed_port()}",
        "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2},
        "skip_instance_cache": True,
    }
    with pytest.raises(SourceUnreachableError, match="cannot reach the source"):
        organize(f"s3://{bucket}/ds", specs, source_options=dead)


def test_missing_s3_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = importlib.import_module("fsspec.registry")._registry
    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if synapse-dc[s3] were not installed
    monkeypatch.delitem(registry, "s3", raising=False)
    with pytest.raises(SourceError, match=r"pip install 'synapse-dc\[s3\]'"):
        resolve_source("s3://bucket/prefix")


def test_any_fsspec_filesystem_is_a_source(tmp_path: Path) -> None:
    """fsspec's in-memory filesystem (no ETags: its files are hashed on every run)."""
    import fsspec

    local = _tree(tmp_path / "ds")
    memory = fsspec.filesystem("memory")
    name = f"/ds-{tmp_path.name}"
    try:
        memory.put(str(local), name, recursive=True)
        root = resolve_source(f"memory://{name}")
        assert isinstance(root, SourcePath)
        specs = [
            {"name": "image", "is_required": True, "extensions": ["png", "jpg"]},
            {"name": "annotation", "extensions": ["json"]},
        ]
        remote = organize(f"memory://{name}", specs)
        assert _shape(remote, root.url) == _shape(organize(local, specs), str(local))
        assert remote.groups[0].files["image"].url.startswith("memory://")
    finally:
        memory.rm(name, recursive=True)
