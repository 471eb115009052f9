"""``synapse-dc upload SOURCE --collection ID``: organize, report, upload with progress, summarize.

SOURCE is a local folder or an fsspec URL (``s3://bucket/prefix``; ``--source-option`` for its
filesystem).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import click
from synapse_client.models import DataCollection

from ..client import SynapseClient
from ..dataset import OrganizeResult, organize
from ..errors import NotFoundError
from ..ingest import (
    IngestResult,
    IngestSettings,
    Journal,
    default_journal_path,
    journal_scope,
    upload_data_collection,
)
from ..ingest.settings import API_CHOICES, ApiChoice
from ..sources import (
    SourceError,
    SourcePath,
    SourceUnreachableError,
    is_url,
    parse_source_options,
    resolve_source,
)
from .cluster import DASK_HELP, check_dask, dask_executor, dask_journal
from .cmd_browse import not_found
from .exits import CliError, ExitCode, journal_unusable
from .live import PROGRESS_MODES, progress_display
from .output import Output, echo_json
from .report import empty_hint, organize_dict, plan_dict, show_organize, show_plan, show_summary
from .session import Session, pass_session
from .sizes import CHUNK_SIZE

__all__ = ["upload"]

MIB = 1024 * 1024

FLAGS = {
    "project_id": "--project",
    "batch_size": "--batch-size",
    "max_workers": "--workers",
    "adaptive": "--fixed-workers",
    "chunked_threshold": "--chunked-threshold",
    "chunk_size": "--chunk-size",
    "api": "--api",
    "trust_etag": "--trust-etag",
    "dry_run": "--dry-run",
}
"""The flag of each setting the command sets (for its usage errors)."""


def settings_of_flags(**flags: Any) -> IngestSettings:
    """One :class:`IngestSettings` from the flags' values, or a usage error naming the flag
    (the settings' message names the field first)."""
    try:
        return IngestSettings(**flags)
    except ValueError as exc:
        field, _, why = str(exc).partition(" ")
        raise CliError(ExitCode.USAGE, f"{FLAGS.get(field, field)}: {field} {why}") from None


def check_directory(directory: str) -> Path:
    """The folder to organize, or a one-line usage error that says what is expected."""
    path = Path(directory)
    hint = (
        "pass a folder with one sub-folder per file specification (see `synapse-dc collection ID`)"
    )
    if not path.exists():
        raise CliError(ExitCode.USAGE, f"{directory}: no such directory; {hint}")
    if not path.is_dir():
        raise CliError(ExitCode.USAGE, f"{directory}: not a directory; {hint}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise CliError(ExitCode.USAGE, f"{directory}: permission denied; {hint}")
    return path


def check_source(
    source: str, raw_options: tuple[str, ...]
) -> tuple[Path | SourcePath, dict[str, object]]:
    """The folder or source URL to organize and its options, or a one-line error (exit 2:
    bad URL, scheme, option or missing extra; the listing itself reports the rest)."""
    try:
        options = parse_source_options(raw_options)
    except ValueError as exc:
        raise CliError(ExitCode.USAGE, f"--source-option: {exc}") from None
    if not is_url(source):
        if options:
            raise CliError(ExitCode.USAGE, "--source-option applies to URL sources only")
        return check_directory(source), options
    try:
        where = resolve_source(source, options)
    except SourceError as exc:
        raise CliError(ExitCode.USAGE, str(exc)) from None
    return (check_directory(str(where)) if isinstance(where, Path) else where), options


def source_failed(error: SourceError) -> CliError:
    """The exit code and line of a source that could not be listed."""
    code = ExitCode.UNAVAILABLE if isinstance(error, SourceUnreachableError) else ExitCode.USAGE
    return CliError(code, str(error))


def open_journal(
    ctx: click.Context,
    session: Session,
    path: Path | None,
    *,
    no_resume: bool,
    restart: bool,
    scope: str,
) -> Journal:
    """The journal this run uses (see ``--journal``, ``--no-resume``, ``--restart``, ``--mock``)."""
    out = session.output
    if session.mock:
        # The fake's state dies with this process: a persistent journal would remember units
        # the next fake does not have. A throwaway journal keeps the same code path.
        folder = ctx.with_resource(tempfile.TemporaryDirectory(prefix="synapse-dc-mock-"))
        if path is not None or no_resume or restart:
            out.note("mock mode: --journal, --no-resume and --restart are ignored")
        out.note("mock mode: the fake backend lives only in this process; the journal is kept in")
        out.note("a temporary folder and deleted at exit, so resuming does not apply here.")
        return ctx.with_resource(Journal(Path(folder) / "journal.sqlite3"))
    if no_resume:
        out.note("--no-resume: in-memory journal; units already on the server are still skipped.")
        return ctx.with_resource(Journal(None))
    target = path or default_journal_path()
    try:
        journal = ctx.with_resource(Journal(target))
    except (sqlite3.Error, OSError) as exc:
        raise journal_unusable(target, exc) from None
    if restart:
        journal.forget(scope)
        out.note(f"--restart: forgot the previous runs of this collection in {target}")
    out.note(f"journal: {target} (an interrupted run resumes when re-run)")
    return journal


@click.command()
@click.argument("directory", metavar="SOURCE")
@click.option("--collection", "collection_id", type=int, required=True, help="Collection ID.")
@click.option("--project", "project_id", type=int, default=None, help="Create a task per unit.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1000),
    default=200,
    show_default=True,
    help="Data units per request.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Uploads in flight: N, fewer while the server pushes back (default: from 8 up to 48 "
    "as throughput rises; 8 with --fixed-workers).",
)
@click.option(
    "--fixed-workers",
    is_flag=True,
    help="Keep exactly --workers uploads in flight instead of adapting: by default the "
    "number halves when the server throttles (429, 503), a proxy fails or connections "
    "break, and grows back.",
)
@click.option(
    "--chunk-size",
    type=CHUNK_SIZE,
    default="50MiB",
    show_default=True,
    help="Chunk size (at most 5GiB).",
)
@click.option(
    "--chunked-threshold",
    type=CHUNK_SIZE,
    default="50MiB",
    show_default=True,
    help="Files larger than this are uploaded in chunks (at most 5GiB).",
)
@click.option(
    "--api",
    type=click.Choice(API_CHOICES),
    default="auto",
    show_default=True,
    help="v2: presigned uploads and idempotent units; auto: v2 when the server offers it.",
)
@click.option(
    "--source-option",
    "source_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="Option of a URL source's filesystem (repeatable; VALUE is JSON where it parses), "
    "e.g. endpoint_url=http://127.0.0.1:9000.",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Follow links (files or folders) whose target is outside SOURCE; by default they "
    "are skipped and reported (link_outside_root). Links inside SOURCE are always followed.",
)
@click.option(
    "--trust-etag",
    is_flag=True,
    help="Take a source file's MD5-shaped ETag as its checksum (read once; the upload checks).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Organize, hash and ask the server what it holds (over v2 its dry_run checks the "
    "units); store nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Resume journal (default: the user cache folder); with --dask, a folder.",
)
@click.option("--no-resume", is_flag=True, help="Keep the journal in memory only.")
@click.option("--restart", is_flag=True, help="Forget previous runs of this collection first.")
@click.option(
    "--progress",
    "progress_mode",
    type=click.Choice(PROGRESS_MODES),
    default="auto",
    show_default=True,
    help="auto: a live display when stderr is a terminal (never with --json).",
)
@click.option("--dask", "dask_address", metavar="ADDRESS", default=None, help=DASK_HELP)
@pass_session
@click.pass_context
def upload(
    ctx: click.Context,
    session: Session,
    directory: str,
    collection_id: int,
    project_id: int | None,
    batch_size: int,
    workers: int | None,
    fixed_workers: bool,
    chunk_size: int,
    chunked_threshold: int,
    api: ApiChoice,
    source_option: tuple[str, ...],
    follow_links: bool,
    trust_etag: bool,
    dry_run: bool,
    as_json: bool,
    journal_path: Path | None,
    no_resume: bool,
    restart: bool,
    progress_mode: str,
    dask_address: str | None,
) -> None:
    """Upload SOURCE (one sub-folder per file specification) into a data collection.

    SOURCE is a local folder or an fsspec URL: s3://bucket/prefix (needs synapse-dc[s3]),
    gs://... ([gcs]), az://... ([azure]), file://...
    """
    if journal_path is not None and no_resume:
        raise CliError(ExitCode.USAGE, "--journal and --no-resume exclude each other; pick one")
    out = session.output
    out.json_mode = as_json
    settings = settings_of_flags(
        project_id=project_id,
        batch_size=batch_size,
        max_workers=workers,
        adaptive=not fixed_workers,
        chunked_threshold=chunked_threshold,
        chunk_size=chunk_size,
        api=api,
        trust_etag=trust_etag,
        dry_run=dry_run,
    )
    root, options = check_source(directory, source_option)
    if dask_address is not None:
        check_dask(dask_address, session, restart=restart)
    client = session.client(ctx)
    try:
        collection = client.get_collection(collection_id)
    except NotFoundError:
        raise not_found(collection_id) from None
    try:
        organized = organize(root, collection, source_options=options, follow_links=follow_links)
    except SourceError as exc:
        raise source_failed(exc) from None
    document: dict[str, Any] = {
        "command": "upload",
        "directory": directory,
        "collection": collection_id,
        "project": project_id,
        "dry_run": dry_run,
        "mock": session.mock,
        "organize": organize_dict(organized),
        "result": None,
        "hint": None if organized.groups else empty_hint(directory, collection),
    }
    show_organize(out, directory, organized)
    if dry_run:
        code = _dry_run(
            client, collection_id, organized, document, out, as_json, settings, collection
        )
        ctx.exit(int(code))
    scope = journal_scope(client.base_url, collection_id)
    executor = None
    journal: Any
    if dask_address is not None:
        journal = dask_journal(journal_path, no_resume=no_resume)
        executor = dask_executor(ctx, dask_address)
    else:
        journal = open_journal(
            ctx, session, journal_path, no_resume=no_resume, restart=restart, scope=scope
        )
    mode = "none" if as_json else progress_mode
    with progress_display(mode, out.err, large_file=chunked_threshold + 1) as (reporter, files):
        client.progress = files
        result = upload_data_collection(
            client,
            collection_id,
            organized.groups,
            settings=settings,
            on_progress=reporter,
            journal=journal,
            executor=executor,
            collection=collection,
        )
    ctx.exit(int(_report(out, document, organized, result, as_json)))


def _report(
    out: Output,
    document: dict[str, Any],
    organized: OrganizeResult,
    result: IngestResult,
    as_json: bool,
    **extra: object,
) -> ExitCode:
    """The summary (or the JSON document with ``extra`` keys); the exit code it implies."""
    code = ExitCode.FAILED if result.failures else ExitCode.OK
    if as_json:
        echo_json({**document, **extra, "result": result.to_dict(), "exit_code": int(code)})
    else:
        show_summary(out, result, len(organized.report.issues), project=document["project"])
        if document["hint"]:
            out.line(document["hint"])
    return code


def _dry_run(
    client: SynapseClient,
    collection_id: int,
    organized: OrganizeResult,
    document: dict[str, Any],
    out: Output,
    as_json: bool,
    settings: IngestSettings,
    collection: DataCollection,
) -> ExitCode:
    """The plan, then what the server says a run would do (journal in memory: untouched)."""
    show_plan(out, organized)
    result = upload_data_collection(
        client,
        collection_id,
        organized.groups,
        settings=settings,
        journal=None,
        collection=collection,
    )
    return _report(out, document, organized, result, as_json, plan=plan_dict(organized))
