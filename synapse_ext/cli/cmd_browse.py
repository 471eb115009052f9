"""``synapse-dc collections``, ``collection ID`` and ``units``: read-only views."""

from __future__ import annotations

import click
from synapse_client.models import DataUnit

from ..errors import NotFoundError
from .exits import CliError, ExitCode
from .output import echo_json
from .session import Session, pass_session
from .tables import (
    collection_dict,
    collection_table,
    collections_table,
    specs_table,
    unit_dict,
    units_table,
)

__all__ = ["collection", "collections", "units"]

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")


def not_found(collection_id: int) -> CliError:
    """The one-line message for an unknown collection."""
    return CliError(
        ExitCode.NOT_FOUND,
        f"collection {collection_id} not found (or not visible to this token/tenant); "
        "list them with `synapse-dc collections`",
    )


@click.command()
@json_option
@pass_session
@click.pass_context
def collections(ctx: click.Context, session: Session, as_json: bool) -> None:
    """List the data collections visible to the token."""
    client = session.client(ctx)
    found = list(client.iter_collections())
    if as_json:
        echo_json([collection_dict(c) for c in found])
    else:
        session.output.out.print(collections_table(found))


@click.command()
@click.argument("collection_id", metavar="ID", type=int)
@json_option
@pass_session
@click.pass_context
def collection(ctx: click.Context, session: Session, collection_id: int, as_json: bool) -> None:
    """Show one data collection and its file specifications."""
    client = session.client(ctx)
    try:
        found = client.get_collection(collection_id)
    except NotFoundError:
        raise not_found(collection_id) from None
    if as_json:
        echo_json(collection_dict(found))
        return
    session.output.out.print(collection_table(found))
    session.output.out.print(specs_table(found))


@click.command()
@click.option("--collection", "collection_id", type=int, required=True, help="Collection ID.")
@click.option(
    "--page-size", type=click.IntRange(1, 1000), default=100, show_default=True, help="Per request."
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N units.")
@json_option
@pass_session
@click.pass_context
def units(
    ctx: click.Context,
    session: Session,
    collection_id: int,
    page_size: int,
    limit: int | None,
    as_json: bool,
) -> None:
    """List the data units of a collection, page by page."""
    client = session.client(ctx)
    try:
        client.get_collection(collection_id, with_specifications=False)
    except NotFoundError:
        raise not_found(collection_id) from None
    shown: list[DataUnit] = []
    page_number, count = 1, 0
    while limit is None or len(shown) < limit:
        page = client.list_units(collection_id=collection_id, page=page_number, page_size=page_size)
        count = page.count
        shown.extend(page.results)
        if not page.next_:
            break
        page_number += 1
    shown = shown[:limit] if limit is not None else shown
    if as_json:
        echo_json({"count": count, "results": [unit_dict(u) for u in shown]})
        return
    title = f"Data units of collection {collection_id} ({len(shown)} of {count})"
    session.output.out.print(units_table(shown, title))
