"""What the two protocols of an ingestion (v1, v2) do differently: the run's strategy (pure).

:class:`~synapse_ext.ingest._flows.IngestRun` keeps the window pipeline (admit, hash, skip what
the journal knows, check, upload, bind) and asks its :class:`IngestProtocol` for the steps that
go another way over each API version: the start of a run, which files the server holds, the
uploads, one unit batch, the tasks. :class:`~synapse_ext.ingest._protocol_v1.V1Protocol` and
:class:`~synapse_ext.ingest._protocol_v2.V2Protocol` implement it.

A dry run is a mode of the run and of both protocols (``dry_run``), consulted where a dry run
differs; nothing is stored on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypedDict

import attrs

from .._flow import AdaptiveLimit, Flow
from ..client._api import ClientApi
from ..policy import Uniform
from ..sources import FileRef
from ._engine import Engine, Prepared

__all__ = ["IngestProtocol", "Parts", "ProtocolParts", "count_new_units"]


class IngestProtocol(Protocol):
    """The server operations of one ingestion: what differs between v1 and v2."""

    @property
    def engine(self) -> Engine:
        """The run's decisions and bookkeeping over the journal."""
        ...

    @property
    def dry_run(self) -> bool:
        """True: nothing is stored; what a run would do is counted."""
        ...

    def start(self) -> Flow[None]:
        """What a run does before its first window."""
        ...

    def held(self, todo: Sequence[Prepared]) -> Flow[set[str]]:
        """The checksums of ``todo``'s files the server holds (those are not uploaded)."""
        ...

    def upload(self, plan: dict[str, tuple[FileRef, int]]) -> Flow[dict[str, str]]:
        """Upload the planned files (checksum → path, size); checksum → error of failures."""
        ...

    def unit_batch(self, batch: list[Prepared]) -> Flow[None]:
        """Create the units of ``batch`` (all of whose files are stored), then their tasks."""
        ...

    def tasks(self, unit_ids: Sequence[int]) -> Flow[None]:
        """Create the tasks of ``unit_ids`` the journal records none for."""
        ...


@attrs.frozen(kw_only=True)
class ProtocolParts:
    """What the flows of both protocols run over (a base of each)."""

    client: ClientApi[Any, Any]
    engine: Engine
    uniform: Uniform
    limit: int | AdaptiveLimit
    """How many uploads (or lookups) run at once: adaptive, or fixed."""
    dry_run: bool = False


class Parts(TypedDict):
    """The fields of :class:`ProtocolParts`, to build either protocol with."""

    client: ClientApi[Any, Any]
    engine: Engine
    uniform: Uniform
    limit: int | AdaptiveLimit
    dry_run: bool


def count_new_units(engine: Engine, n: int) -> None:
    """(dry run) Count ``n`` units a run would create, and with a project their tasks."""
    engine.units_made(n)
    if engine.project_id is not None:  # a new unit gets its task
        engine.tasks_counted(n)
