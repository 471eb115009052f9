"""organize(): a messy folder gives exactly the expected groups and report."""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

import pytest

from synapse_ext.dataset import (
    OrganizedGroup,
    Reason,
    Spec,
    organize,
    specs_of,
    validate_files_against_collection,
)

SPECS = [
    {"id": 1, "name": "image", "file_type": "image", "is_required": True, "is_primary": True,
     "extensions": ["jpg", "jpeg", "png"]},
    {"id": 2, "name": "annotation", "file_type": "data", "is_required": False,
     "is_primary": False, "extensions": ["json"]},
    {"id": 3, "name": "metadata", "file_type": "data", "is_required": False,
     "is_primary": False},
]  # fmt: skip

LONG = "ㄱ" * 60 + "x" * 60  # 60 three-byte chars + 60 ascii = 240 bytes, + ".jpg" = 244
UNI = "거리_사진_ü"


def _w(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    _w(root / "image" / "a.jpg", b"A")
    _w(root / "annotation" / "a.json", b"{}")
    _w(root / "metadata" / "a.csv", b"k,v")
    _w(root / "image" / "b.PNG", b"B")
    _w(root / "annotation" / "b.txt", b"wrong ext")
    _w(root / "image" / "c.gif", b"C")
    _w(root / "image" / "nested" / "deep" / "d.jpg", b"D")
    _w(root / "image" / "empty.jpg", b"")
    _w(root / "image" / "dup.jpg", b"1")
    _w(root / "image" / "nested" / "dup.png", b"2")
    _w(root / "image" / f"{UNI}.jpg", b"U")
    _w(root / "annotation" / f"{UNI}.json", b"{}")
    _w(root / "image" / f"{LONG}.jpg", b"L")
    _w(root / "annotation" / "orphan.json", b"{}")
    _w(root / "image" / ".DS_Store", b"junk")
    _w(root / "image" / "@eaDir" / "a.jpg", b"thumb")
    _w(root / "Thumbs.db", b"junk")
    _w(root / "readme.txt", b"hello")
    _w(root / "unknown" / "z.jpg", b"Z")
    _w(tmp_path / "elsewhere" / "real.jpg", b"R")
    # Links: one leading out of the root (skipped), one inside it (followed), a loop, a broken
    # link inside the root (the rules on links themselves: tests/ingest/test_organize_links.py).
    (root / "image" / "alias.jpg").symlink_to(tmp_path / "elsewhere" / "real.jpg")
    (root / "image" / "inside.jpg").symlink_to(root / "unknown" / "z.jpg")
    (root / "image" / "loop").symlink_to(root / "image", target_is_directory=True)
    (root / "image" / "broken.jpg").symlink_to(root / "nowhere.jpg")
    os.mkfifo(root / "image" / "fifo.jpg")
    return root


def test_messy_folder_exact_groups_and_report(messy: Path) -> None:
    result = organize(messy, SPECS, meta={"batch": "b1"})
    rel = lambda p: p.relative_to(messy).as_posix()  # noqa: E731

    assert [g.key for g in result.groups] == sorted(["a", "b", "d", "inside", LONG, UNI])
    by_key = {g.key: g for g in result.groups}
    assert {k: rel(v) for k, v in by_key["a"].files.items()} == {
        "image": "image/a.jpg",
        "annotation": "annotation/a.json",
        "metadata": "metadata/a.csv",
    }
    assert by_key["a"].meta == {
        "origin_file_stem": "a",
        "origin_file_extension": ".jpg",
        "batch": "b1",
    }
    assert by_key["b"].meta["origin_file_extension"] == ".png"
    assert rel(by_key["d"].files["image"]) == "image/nested/deep/d.jpg"
    assert rel(by_key["inside"].files["image"]) == "image/inside.jpg"
    assert set(by_key[UNI].files) == {"image", "annotation"}
    assert rel(by_key[LONG].files["image"]) == f"image/{LONG}.jpg"

    got = sorted(
        (
            str(i.reason),
            i.group,
            rel(i.path) if i.path else None,
            tuple(rel(p) for p in i.paths),
        )
        for i in result.report.issues
    )
    assert got == sorted(
        [
            ("duplicate_stem", "dup", None, ("image/dup.jpg", "image/nested/dup.png")),
            ("empty_file", "empty", "image/empty.jpg", ()),
            ("extension_not_allowed", "b", "annotation/b.txt", ()),
            ("extension_not_allowed", "c", "image/c.gif", ()),
            ("link_outside_root", None, "image/alias.jpg", ()),
            ("missing_required_spec", "orphan", None, ("annotation/orphan.json",)),
            ("not_regular_file", None, "image/fifo.jpg", ()),
            ("outside_spec_folder", None, "readme.txt", ()),
            ("symlink_loop", None, "image/loop", ()),
            ("unknown_spec_folder", None, "unknown", ()),
            ("unreadable", None, "image/broken.jpg", ()),
        ]
    )
    assert result.report.system_skipped == 3
    assert not result.report.ok
    assert result.report.counts()["extension_not_allowed"] == 2
    for issue in result.report.issues:
        assert issue.message


def test_to_dict_matches_product_page_shape(messy: Path) -> None:
    group = next(iter(organize(messy, SPECS, group_name="day-3")))
    as_dict = group.to_dict()
    assert set(as_dict) == {"files", "meta", "groups"}
    assert as_dict["groups"] == ["day-3"]
    assert all(isinstance(p, Path) for p in as_dict["files"].values())


def test_non_recursive_reports_subfolders(messy: Path) -> None:
    result = organize(messy, SPECS, recursive=False)
    assert "d" not in {g.key for g in result.groups}
    skipped = {
        i.path.name for i in result.report.by_reason()[Reason.SUBFOLDER_NOT_WALKED] if i.path
    }
    assert skipped == {"nested", "loop"}


def test_meta_sheet_csv_matches_by_stem_then_filename(messy: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "meta.csv"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["filename", "weather", "count"])
        w.writerow(["a", "rain", "3"])
        w.writerow(["b.PNG", "sun", ""])
        w.writerow(["nobody", "fog", "1"])
    result = organize(messy, SPECS, meta_sheet=sheet)
    by_key = {g.key: g for g in result.groups}
    assert by_key["a"].meta["weather"] == "rain" and by_key["a"].meta["count"] == "3"
    assert by_key["b"].meta["weather"] == "sun" and by_key["b"].meta["count"] == ""
    assert "weather" not in by_key["d"].meta
    unmatched = result.report.by_reason()[Reason.META_ROW_UNMATCHED]
    assert [i.group for i in unmatched] == ["nobody"]


def test_meta_sheet_excel(messy: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["file_name", "score"])
    sheet.append(["a.jpg", 7])
    path = tmp_path / "meta.xlsx"
    book.save(path)
    by_key = {g.key: g for g in organize(messy, SPECS, meta_sheet=path)}
    assert by_key["a"].meta["score"] == "7"


def test_meta_sheet_bad_header(messy: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("name,x\na,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="filename"):
        organize(messy, SPECS, meta_sheet=sheet)


def test_specs_from_models_dicts_and_collection() -> None:
    from synapse_client.models import DataCollection, FileSpecification

    models = [FileSpecification.from_dict(s) for s in SPECS]
    collection = DataCollection.from_dict({"id": 1, "name": "c", "file_specifications": SPECS})
    expected = specs_of(SPECS)
    assert specs_of(models) == expected
    assert specs_of(collection) == expected
    assert specs_of({"id": 1, "file_specifications": SPECS}) == expected
    assert expected[0] == Spec("image", True, True, frozenset({"jpg", "jpeg", "png"}))
    assert expected[2].extensions is None
    with pytest.raises(ValueError, match="file_specifications"):
        specs_of(DataCollection.from_dict({"id": 1, "name": "c"}))


def test_missing_required_folder_reports_every_group(tmp_path: Path) -> None:
    _w(tmp_path / "annotation" / "x.json")
    _w(tmp_path / "annotation" / "y.json")
    result = organize(tmp_path, SPECS)
    assert result.groups == []
    assert [i.group for i in result.report.issues] == ["x", "y"]


def test_validate_files_against_collection(caplog: pytest.LogCaptureFixture) -> None:
    paths = ["/d/image/a.jpg", "/d/annotation/a.json", "/d/other/a.bin", "/d/image/a.gif"]
    with caplog.at_level(logging.WARNING, logger="synapse_ext"):
        out = validate_files_against_collection(paths, {"file_specifications": SPECS})
    assert [(e["path"], e["type"], e["valid"]) for e in out] == [
        ("/d/image/a.jpg", "image", True),
        ("/d/annotation/a.json", "annotation", True),
        ("/d/other/a.bin", "unknown", False),
        ("/d/image/a.gif", "image", False),
    ]
    assert len(caplog.records) == 2


def test_group_is_a_value() -> None:
    g1 = OrganizedGroup("k", {"image": Path("a.jpg")}, {"m": 1})
    g2 = OrganizedGroup("k", {"image": Path("a.jpg")}, {"m": 1})
    assert g1 == g2


def test_a_folder_named_like_a_file_is_reported_and_walked(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "image" / "x.png").mkdir(parents=True)  # empty: nothing else would say so
    _w(root / "image" / "y.JPG" / "inner.jpg", b"I")  # its files still count
    _w(root / "image" / "v1.2" / "z.jpg", b"Z")  # not an image extension: a plain subfolder
    _w(root / "metadata" / "m.csv" / "n.csv", b"k")  # metadata allows any extension: no issue
    result = organize(root, SPECS)
    named = result.report.by_reason()[Reason.NOT_REGULAR_FILE]
    assert sorted((i.path.name, i.spec) for i in named if i.path) == [
        ("x.png", "image"),
        ("y.JPG", "image"),
    ]
    messages = {i.path.name: i.message for i in named if i.path}
    assert messages["x.png"].startswith("a folder named like a 'image' file (.png)")
    assert {g.key for g in result.groups} == {"inner", "z"}
    flat = organize(root, SPECS, recursive=False)  # one line per folder: not walked
    assert Reason.NOT_REGULAR_FILE not in flat.report.by_reason()
    skipped = flat.report.by_reason()[Reason.SUBFOLDER_NOT_WALKED]
    assert {i.path.name for i in skipped if i.path} == {"x.png", "y.JPG", "v1.2", "m.csv"}
