"""organize(): links are confined to the dataset root unless ``follow_links=True``.

Every link here is a real one, made in tmp_path: ``<tmp>/root`` is the dataset, ``<tmp>/outside``
a folder beside it that must never be read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from synapse_ext.dataset import OrganizeResult, Reason, organize
from synapse_ext.sources import SourcePath, resolve_source

SPECS = [
    {"id": 1, "name": "image", "file_type": "image", "is_required": True, "is_primary": True,
     "extensions": ["png"]},
]  # fmt: skip

SECRET = b"outside-content-must-never-be-read"


def _w(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the root: a file, and a folder laid out like a dataset."""
    folder = tmp_path / "outside"
    _w(folder / "host.png", SECRET)
    for i in range(5):
        _w(folder / "conf" / f"c{i}.png", SECRET)
    _w(folder / "conf" / "deep" / "d.png", SECRET)
    return folder


@pytest.fixture
def root(tmp_path: Path, outside: Path) -> Path:
    root = tmp_path / "root"
    _w(root / "image" / "a.png", b"A")
    return root


def _issues(result: OrganizeResult, root: Path) -> list[tuple[str, str]]:
    return sorted(
        (str(i.reason), Path(str(i.path)).relative_to(root).as_posix())
        for i in result.report.issues
        if i.path is not None
    )


def _text(result: OrganizeResult) -> str:
    """Everything the report and the groups say, as one string."""
    parts = [repr(i) for i in result.report.issues]
    parts += [repr(g.to_dict()) for g in result.groups]
    return "\n".join(parts)


@pytest.fixture
def touched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Paths given to os.stat, os.scandir, os.access, os.listdir and open during the test
    (``os.lstat`` and ``os.readlink``, what deciding about a link needs, are not recorded)."""
    seen: list[str] = []
    import builtins

    for module, name in [(os, "stat"), (os, "scandir"), (os, "access"), (os, "listdir")]:
        real = getattr(module, name)

        def spy(path: Any = ".", *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            seen.append(os.fspath(path) if not isinstance(path, int) else "")
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    real_open = builtins.open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(os.fspath(file) if not isinstance(file, int) else "")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    yield seen


def _assert_not_touched(seen: list[str], outside: Path) -> None:
    real = os.path.realpath(outside)
    assert seen, "the spy recorded nothing: it would not see a read either"
    assert not [p for p in seen if os.path.realpath(p).startswith(real)]


def test_file_link_outside_is_skipped_reported_and_not_read(
    root: Path, outside: Path, touched: list[str]
) -> None:
    (root / "image" / "host.png").symlink_to(outside / "host.png")
    result = organize(root, SPECS)
    assert [g.key for g in result.groups] == ["a"]
    assert _issues(result, root) == [("link_outside_root", "image/host.png")]
    issue = result.report.issues[0]
    assert issue.reason is Reason.LINK_OUTSIDE_ROOT and issue.spec == "image"
    assert str(outside) not in _text(result) and SECRET.decode() not in _text(result)
    assert result.report.files_seen == 1  # a.png; the link is reported, not counted
    _assert_not_touched(touched, outside)


def test_folder_link_outside_is_not_walked(root: Path, outside: Path, touched: list[str]) -> None:
    (root / "image" / "etcdir").symlink_to(outside / "conf", target_is_directory=True)
    (root / "image" / "etcdir.png").symlink_to(outside / "conf", target_is_directory=True)
    result = organize(root, SPECS)
    assert [g.key for g in result.groups] == ["a"]
    assert _issues(result, root) == [
        ("link_outside_root", "image/etcdir"),
        ("link_outside_root", "image/etcdir.png"),
    ]
    assert str(outside) not in _text(result)
    _assert_not_touched(touched, outside)


def test_spec_folder_itself_a_link_outside(root: Path, outside: Path) -> None:
    (root / "image").rename(root / "kept")
    (root / "image").symlink_to(outside / "conf", target_is_directory=True)
    result = organize(root, SPECS)
    assert result.groups == []
    assert ("link_outside_root", "image") in _issues(result, root)


def test_dotdot_chain_leaves_the_root_and_plans_no_sibling(tmp_path: Path, root: Path) -> None:
    _w(tmp_path / "sibling" / "image" / "s.png", b"S")  # what `up2` would reach
    (root / "image" / "up2").symlink_to(Path("..") / "..", target_is_directory=True)
    (root / "image" / "up1").symlink_to(Path(".."), target_is_directory=True)  # the root itself
    result = organize(root, SPECS)
    assert [g.key for g in result.groups] == ["a"]
    assert _issues(result, root) == [
        ("link_outside_root", "image/up2"),
        ("symlink_loop", "image/up1"),  # inside: the root, already walked, reported once
    ]


def test_link_to_link_ending_outside_and_one_ending_inside(root: Path, outside: Path) -> None:
    image = root / "image"
    (image / "step.png").symlink_to(outside / "host.png")
    (image / "chain.png").symlink_to(image / "step.png")  # link → link → outside
    (image / "mid.png").symlink_to(image / "a.png")
    (image / "via.png").symlink_to(Path("mid.png"))  # relative link → link → a.png (inside)
    result = organize(root, SPECS)
    assert [g.key for g in result.groups] == ["a", "mid", "via"]
    assert result.groups[2].files["image"] == image / "via.png"
    assert _issues(result, root) == [
        ("link_outside_root", "image/chain.png"),
        ("link_outside_root", "image/step.png"),
    ]


def test_links_inside_the_root_are_followed(root: Path) -> None:
    _w(root / "store" / "b.png", b"B")  # a non-spec folder of the root (reported, not walked)
    (root / "store" / "sub").mkdir()
    _w(root / "store" / "sub" / "c.png", b"C")
    (root / "image" / "b.png").symlink_to(root / "store" / "b.png")
    (root / "image" / "more").symlink_to(root / "store" / "sub", target_is_directory=True)
    result = organize(root, SPECS)
    assert [g.key for g in result.groups] == ["a", "b", "c"]
    assert _issues(result, root) == [("unknown_spec_folder", "store")]
    assert not result.report.follow_links and result.report.links_outside_followed == 0


def test_root_given_through_a_link_and_as_a_relative_path(
    tmp_path: Path, root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "image" / "b.png").symlink_to(root / "image" / "a.png")  # absolute, inside
    (root / "image" / "host.png").symlink_to(outside / "host.png")
    (tmp_path / "alias").symlink_to(root, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for given in [tmp_path / "alias", Path("root"), Path("alias")]:
        result = organize(given, SPECS)
        assert [g.key for g in result.groups] == ["a", "b"], given
        assert [(str(i.reason), str(i.path)) for i in result.report.issues] == [
            ("link_outside_root", str(given / "image" / "host.png"))
        ]


def test_loops_are_reported_once(root: Path) -> None:
    image = root / "image"
    (image / "loop").symlink_to(image, target_is_directory=True)
    (image / "x.png").symlink_to(Path("y.png"))
    (image / "y.png").symlink_to(Path("x.png"))
    result = organize(root, SPECS)
    assert [g.key for g in result.groups] == ["a"]
    assert _issues(result, root) == [
        ("symlink_loop", "image/loop"),
        ("symlink_loop", "image/x.png"),
        ("symlink_loop", "image/y.png"),
    ]


def test_follow_links_restores_following_outside(tmp_path: Path, root: Path, outside: Path) -> None:
    _w(tmp_path / "sibling" / "image" / "s.png", b"S")
    (root / "image" / "host.png").symlink_to(outside / "host.png")
    (root / "image" / "etcdir").symlink_to(outside / "conf", target_is_directory=True)
    (root / "image" / "up2").symlink_to(Path("..") / "..", target_is_directory=True)
    result = organize(root, SPECS, follow_links=True)
    keys = [g.key for g in result.groups]
    assert {"a", "c0", "c4", "d", "s"} <= set(keys)  # from outside/conf and the sibling
    # up2 walks <tmp> as well, so outside/host.png is met twice: once through each link.
    dup = result.report.by_reason()[Reason.DUPLICATE_STEM]
    assert [i.group for i in dup] == ["host"] and len(dup[0].paths) == 2
    assert result.report.follow_links is True
    assert result.report.links_outside_followed == 3
    reasons = {str(i.reason) for i in result.report.issues}
    assert "link_outside_root" not in reasons
    assert "symlink_loop" in reasons  # up2 reaches the root again: walked once only


def test_follow_links_plans_a_file_link_outside(root: Path, outside: Path) -> None:
    (root / "image" / "host.png").symlink_to(outside / "host.png")
    result = organize(root, SPECS, follow_links=True)
    assert [g.key for g in result.groups] == ["a", "host"]
    assert result.report.ok and result.report.links_outside_followed == 1


def test_file_url_takes_the_same_local_walk(root: Path, outside: Path) -> None:
    (root / "image" / "host.png").symlink_to(outside / "host.png")
    (root / "image" / "etcdir").symlink_to(outside / "conf", target_is_directory=True)
    url = f"file://{root}"
    assert isinstance(resolve_source(url), Path)  # file:// stays a Path: the same code path
    result = organize(url, SPECS)
    assert [g.key for g in result.groups] == ["a"]
    assert _issues(result, root) == [
        ("link_outside_root", "image/etcdir"),
        ("link_outside_root", "image/host.png"),
    ]
    followed = organize(url, SPECS, follow_links=True)
    assert "host" in {g.key for g in followed.groups}


@pytest.mark.parametrize("layer", ["simplecache", "filecache", "blockcache"])
def test_a_chained_url_over_the_local_disk_takes_the_local_walk(
    root: Path, outside: Path, layer: str, touched: list[str]
) -> None:
    """fsspec's own listing of ``simplecache::file://...`` follows every link; the chain is
    unwrapped to its local folder, so its links are confined to the root like any other."""
    (root / "image" / "host.png").symlink_to(outside / "host.png")
    (root / "image" / "etcdir").symlink_to(outside / "conf", target_is_directory=True)
    url = f"{layer}::file://{root}"
    assert resolve_source(url) == root
    result = organize(url, SPECS)
    assert [g.key for g in result.groups] == ["a"]
    assert _issues(result, root) == [
        ("link_outside_root", "image/etcdir"),
        ("link_outside_root", "image/host.png"),
    ]
    _assert_not_touched(touched, outside)


def test_a_source_path_of_a_cache_over_the_local_disk_is_walked_as_a_path(
    root: Path, outside: Path
) -> None:
    from fsspec.core import url_to_fs

    (root / "image" / "host.png").symlink_to(outside / "host.png")
    fs, path = url_to_fs(f"simplecache::file://{root}")
    assert resolve_source(SourcePath(f"file://{root}", path, fs, is_dir=True)) == root


def test_local_source_path_is_walked_as_a_path(root: Path, outside: Path) -> None:
    from fsspec.implementations.local import LocalFileSystem

    (root / "image" / "host.png").symlink_to(outside / "host.png")
    given = SourcePath(f"file://{root}", str(root), LocalFileSystem(), is_dir=True)
    assert resolve_source(given) == root
    result = organize(given, SPECS)
    assert _issues(result, root) == [("link_outside_root", "image/host.png")]
