"""Per-file metadata from a CSV or Excel sheet (first column ``filename`` or ``file_name``).

Rows are matched to a group by the group's stem, then by one of its file names. Every value is
a string (an empty cell is ``""``). openpyxl is imported only for ``.xlsx``/``.xlsm`` sheets.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["MetaSheet", "load_meta_sheet"]

_KEY_HEADERS = frozenset({"filename", "file_name"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})


class MetaSheet:
    """Rows keyed by their first-column value; remembers which rows were used."""

    def __init__(self, rows: dict[str, dict[str, str]], source: str = "") -> None:
        self.rows = rows
        self.source = source
        self._used: set[str] = set()

    def match(self, stem: str, filenames: Iterable[str] = ()) -> dict[str, str]:
        """The row for ``stem``, else for the first of ``filenames`` that has one, else ``{}``."""
        for candidate in (stem, *filenames):
            row = self.rows.get(candidate)
            if row is not None:
                self._used.add(candidate)
                return dict(row)
        return {}

    def unused(self) -> list[str]:
        """First-column values of rows no group matched, sorted."""
        return sorted(set(self.rows) - self._used)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table_to_sheet(table: Iterator[list[str]], source: str) -> MetaSheet:
    try:
        header = [h.strip() for h in next(table)]
    except StopIteration:
        raise ValueError(f"metadata sheet {source} is empty") from None
    if not header or header[0].lower() not in _KEY_HEADERS:
        raise ValueError(
            f"metadata sheet {source}: the first header must be 'filename' or 'file_name', "
            f"got {header[:1]}"
        )
    if len(header) < 2:
        raise ValueError(f"metadata sheet {source} needs at least two columns")
    rows: dict[str, dict[str, str]] = {}
    for cells in table:
        if not cells or not cells[0].strip():
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        key = values.pop(header[0]).strip()
        rows[key] = {k: v for k, v in values.items() if k}
    return MetaSheet(rows, source)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        yield from csv.reader(fh)


def _excel_rows(path: Path) -> Iterator[list[str]]:
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "reading .xlsx sheets needs openpyxl: pip install 'synapse-dc[excel]'"
        ) from exc
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        if sheet is None:
            return
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def load_meta_sheet(path: str | Path) -> MetaSheet:
    """Read a CSV (stdlib) or Excel (openpyxl) metadata sheet."""
    path = Path(path)
    rows = _excel_rows(path) if path.suffix.lower() in _EXCEL_SUFFIXES else _csv_rows(path)
    return _table_to_sheet(rows, path.name)
