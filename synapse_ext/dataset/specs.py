"""File specifications in one shape, whatever the caller holds.

Accepts a generated ``DataCollection``, a list of generated ``FileSpecification``, the plain
dicts the seed-compatible client returns (a collection dict or a list of spec dicts), or
:class:`Spec` values. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import attrs
from synapse_client.models import DataCollection, FileSpecification

__all__ = ["Spec", "SpecsLike", "primary_spec", "specs_of"]


@attrs.frozen
class Spec:
    """One file specification: the fields organizing and ingestion rely on."""

    name: str
    is_required: bool = False
    is_primary: bool = False
    extensions: frozenset[str] | None = None
    """Allowed extensions, lower-case without the dot; ``None`` allows any."""

    def allows(self, suffix: str) -> bool:
        """True when a file with ``suffix`` (e.g. ``".JPG"``) may fill this spec."""
        if self.extensions is None:
            return True
        return suffix.lower().lstrip(".") in self.extensions


SpecsLike: TypeAlias = (
    DataCollection
    | Mapping[str, object]
    | Iterable[FileSpecification | Mapping[str, object] | Spec]
)
"""A ``DataCollection``, a collection dict, or an iterable of specs (models, dicts, ``Spec``)."""


def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    value = getattr(obj, name, default)
    # The generated models use an ``Unset`` sentinel whose truth value is False.
    if value is not None and type(value).__name__ == "Unset":
        return default
    return value


def _one(obj: Any) -> Spec:
    if isinstance(obj, Spec):
        return obj
    name = _field(obj, "name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"file specification without a name: {obj!r}")
    raw_ext = _field(obj, "extensions")
    extensions = (
        frozenset(str(e).lower().lstrip(".") for e in raw_ext) if raw_ext is not None else None
    )
    return Spec(
        name=name,
        is_required=bool(_field(obj, "is_required", False)),
        is_primary=bool(_field(obj, "is_primary", False)),
        extensions=extensions,
    )


def specs_of(source: SpecsLike) -> tuple[Spec, ...]:
    """Normalize ``source`` into specs, in the server's order; raise ``ValueError`` if none."""
    raw: Any = source
    if isinstance(source, Mapping) or hasattr(source, "file_specifications"):
        raw = _field(source, "file_specifications")
        if raw is None:
            raise ValueError(
                "the collection carries no file_specifications "
                "(fetch it with expand=file_specifications)"
            )
    if not isinstance(raw, Iterable):
        raise TypeError(f"cannot read file specifications from {type(source).__name__}")
    specs = tuple(_one(item) for item in raw)
    if not specs:
        raise ValueError("the collection has no file specifications")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate file specification names: {names}")
    return specs


def primary_spec(specs: Iterable[Spec]) -> Spec:
    """The primary spec: ``is_primary``, else the first required one, else the first."""
    ordered = list(specs)
    for spec in ordered:
        if spec.is_primary:
            return spec
    for spec in ordered:
        if spec.is_required:
            return spec
    return ordered[0]
