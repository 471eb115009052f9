"""Rich tables (and plain data for ``--json``) of collections, specifications and units."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from synapse_client.models import DataCollection, DataUnit

from ..dataset.specs import specs_of

__all__ = [
    "collection_dict",
    "collection_table",
    "collections_table",
    "specs_table",
    "unit_dict",
    "units_table",
]


def _value(obj: Any, name: str) -> Any:
    value = getattr(obj, name, None)
    return None if value is None or type(value).__name__ == "Unset" else value


def collection_dict(collection: DataCollection) -> dict[str, Any]:
    """A collection as plain JSON data."""
    data: dict[str, Any] = collection.to_dict()
    return data


def collections_table(collections: list[DataCollection]) -> Table:
    """ID, name, project and description of each collection."""
    table = Table(title="Data collections")
    for name in ("ID", "Name", "Project", "Description"):
        table.add_column(name, overflow="fold")
    for c in collections:
        project = _value(c, "project")
        table.add_row(
            str(c.id), c.name, "-" if project is None else str(project), _value(c, "description")
        )
    return table


def collection_table(collection: DataCollection) -> Table:
    """The collection's own fields."""
    table = Table(title=f"Data collection {collection.id}", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value", overflow="fold")
    project = _value(collection, "project")
    created = _value(collection, "created_at")
    table.add_row("Name", collection.name)
    table.add_row("Description", _value(collection, "description") or "")
    table.add_row("Project", "-" if project is None else str(project))
    table.add_row("Created", created.isoformat() if created else "-")
    return table


def specs_table(collection: DataCollection) -> Table:
    """One row per file specification: what ``upload`` expects as sub-folders."""
    table = Table(title="File specifications (one sub-folder each)")
    for name in ("Folder", "Type", "Required", "Primary", "Extensions"):
        table.add_column(name)
    types = {s.name: str(s.file_type) for s in collection.file_specifications or []}
    for spec in specs_of(collection):
        extensions = ", ".join(sorted(spec.extensions)) if spec.extensions is not None else "any"
        table.add_row(
            spec.name + "/",
            types.get(spec.name, ""),
            "yes" if spec.is_required else "no",
            "yes" if spec.is_primary else "",
            extensions,
        )
    return table


def unit_dict(unit: DataUnit) -> dict[str, Any]:
    """A unit without its presigned URLs (they expire and are long)."""
    files = {
        spec: {
            "checksum": f.checksum,
            "name": _value(f, "file_name_original"),
            "size": _value(f, "size"),
        }
        for spec, f in unit.files.additional_properties.items()
    }
    created = _value(unit, "created_at")
    return {
        "id": unit.id,
        "data_collection": unit.data_collection,
        "files": files,
        "meta": dict(unit.meta.additional_properties),
        "groups": list(_value(unit, "groups") or []),
        "created_at": created.isoformat() if created else None,
    }


def units_table(units: list[DataUnit], title: str) -> Table:
    """ID, origin stem and files of each unit."""
    table = Table(title=title)
    for name in ("ID", "Stem", "Files", "Created"):
        table.add_column(name, overflow="fold")
    for unit in units:
        data = unit_dict(unit)
        files = ", ".join(
            f"{spec}: {f['name'] or f['checksum']}" for spec, f in data["files"].items()
        )
        stem = str(data["meta"].get("origin_file_stem", ""))
        table.add_row(str(unit.id), stem, files, (data["created_at"] or "-")[:19])
    return table
