"""What ``upload`` shows: the organize report, the plan, and the ingestion summary.

Each has a human form (lines on stdout) and a plain-data form (for ``--json``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..dataset import OrganizedGroup, OrganizeIssue, OrganizeResult, SpecsLike, specs_of
from ..ingest import IngestResult
from ..sources import FileRef, file_size
from .output import Output
from .sizes import format_size

__all__ = [
    "empty_hint",
    "issue_dict",
    "organize_dict",
    "plan_dict",
    "show_organize",
    "show_plan",
    "show_summary",
]

MAX_LINES = 50
"""Human output lists at most this many issues, groups or failures (``--json`` has all)."""


def _size(paths: list[FileRef]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += file_size(path)
    return total


def _files(groups: list[OrganizedGroup]) -> list[FileRef]:
    return list(dict.fromkeys(p for g in groups for p in g.files.values()))


def issue_dict(issue: OrganizeIssue) -> dict[str, Any]:
    """One skipped file, folder or group as plain data."""
    return {
        "reason": str(issue.reason),
        "message": issue.message,
        "path": str(issue.path) if issue.path is not None else None,
        "group": issue.group,
        "spec": issue.spec,
        "paths": [str(p) for p in issue.paths],
    }


def organize_dict(result: OrganizeResult) -> dict[str, Any]:
    """The organize report: groups found, files seen, and everything skipped with its reason."""
    files = _files(result.groups)
    return {
        "groups": len(result.groups),
        "files": len(files),
        "bytes": _size(files),
        "files_seen": result.report.files_seen,
        "system_skipped": result.report.system_skipped,
        "follow_links": result.report.follow_links,
        "links_outside_followed": result.report.links_outside_followed,
        "skipped": result.report.counts(),
        "issues": [issue_dict(i) for i in result.report.issues],
    }


def plan_dict(result: OrganizeResult) -> list[dict[str, Any]]:
    """Every group that would be uploaded: key, files per spec, meta."""
    return [
        {
            "group": g.key,
            "files": {spec: str(p) for spec, p in g.files.items()},
            "meta": dict(g.meta),
        }
        for g in result.groups
    ]


def _more(out: Output, shown: int, total: int) -> None:
    if total > shown:
        out.line(f"  ... and {total - shown} more (--json lists them all)")


def show_organize(out: Output, root: str, result: OrganizeResult) -> None:
    """``Organized DIR: N groups (F files, S); K skipped:``, one line per skipped item, and
    with ``--follow-links`` how many links outside the root were followed."""
    files = _files(result.groups)
    issues = result.report.issues
    head = (
        f"Organized {root}: {len(result.groups)} groups to upload "
        f"({len(files)} files, {format_size(_size(files))})"
    )
    if result.report.system_skipped:
        head += f"; {result.report.system_skipped} system files ignored"
    out.line(head + (f"; {len(issues)} skipped:" if issues else "; nothing skipped."))
    for issue in issues[:MAX_LINES]:
        what = str(issue.path) if issue.path is not None else f"group {issue.group}"
        listed = f" ({', '.join(str(p) for p in issue.paths)})" if issue.paths else ""
        out.line(f"  skipped {what}: {issue.reason}: {issue.message}{listed}")
    _more(out, min(len(issues), MAX_LINES), len(issues))
    if result.report.follow_links:
        count = result.report.links_outside_followed
        out.line(
            f"{count} link{'' if count == 1 else 's'} outside the root followed (--follow-links)"
        )


def empty_hint(root: str, collection: SpecsLike) -> str:
    """What a source that organized into no group should look like, with the spec names."""
    specs = specs_of(collection)
    names = ", ".join(f"{s.name} (required)" if s.is_required else s.name for s in specs)
    return (
        f"hint: nothing to upload from {root}: the expected layout is "
        f"<root>/<spec>/<stem>.<ext>, one folder per file specification ({names}); files "
        "with the same stem in different spec folders become one data unit"
    )


def show_plan(out: Output, result: OrganizeResult) -> None:
    """Dry run: each group and its files; nothing is sent."""
    out.line("Dry run: nothing is uploaded. These groups would become data units:")
    for group in result.groups[:MAX_LINES]:
        files = ", ".join(f"{spec}={p!s}" for spec, p in group.files.items())
        out.line(f"  {group.key}: {files}")
    _more(out, min(len(result.groups), MAX_LINES), len(result.groups))


def format_duration(seconds: float) -> str:
    """``0.42 s``, ``12.3 s``, ``4 min 05 s``, ``2 h 03 min``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds + 0.5)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole // 60 % 60:02d} min"


def _pace(result: IngestResult) -> list[tuple[str, str]]:
    """The closing rows of a run: how long it took and how fast it went."""
    if result.dry_run or result.elapsed_s <= 0:
        return []
    seconds = result.elapsed_s
    speed = (
        f"{(result.files_uploaded + result.files_resent) / seconds:.1f} files/s, "
        f"{format_size(result.bytes_sent / seconds)}/s, "
        f"{result.units_created / seconds:.1f} units/s"
    )
    return [("elapsed", format_duration(seconds)), ("throughput", speed)]


def _tasks(result: IngestResult, project: int | None) -> list[tuple[str, str]]:
    if not result.dry_run:
        return [("tasks created", f"{result.tasks_created}")]
    if project is None:
        return []
    return [("tasks to create", f"{result.tasks_created} (project {project})")]


def _present(result: IngestResult) -> str:
    """``300``, or ``300 (120 sent again, 1.2 MiB: uploaded without a lookup)``."""
    if not result.files_resent:
        return f"{result.files_already_present}"
    return (
        f"{result.files_already_present} ({result.files_resent} sent again, "
        f"{format_size(result.bytes_resent)}: small files are uploaded without a lookup)"
    )


def show_summary(
    out: Output, result: IngestResult, skipped: int, *, project: int | None = None
) -> None:
    """The final counts, then one line per failed group with its reason (a dry run with a
    ``project`` says how many tasks a run would create)."""
    api = "v2 (presigned uploads)" if result.api == "v2" else "v1"
    would = result.dry_run
    rows = [
        ("api", api),
        ("groups", f"{result.groups}"),
        (
            "files to upload" if would else "files uploaded",
            f"{result.files_uploaded} ({format_size(result.bytes_sent - result.bytes_resent)})",
        ),
        ("files already present", _present(result)),
        ("units to create" if would else "units created", f"{result.units_created}"),
        ("units already present", f"{result.units_already_present}"),
        *_tasks(result, project),
        ("rejected" if would else "failed", f"{result.failed}"),
        ("skipped by organize", f"{skipped}"),
        *_pace(result),
    ]
    out.line("Dry run, nothing was stored:" if would else "Summary:")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        out.line(f"  {name:<{width}}  {value}")
    for failure in result.failures[:MAX_LINES]:
        out.line(f"  failed {failure.group}: {failure.reason}: {failure.message}")
    _more(out, min(result.failed, MAX_LINES), result.failed)
    if result.failures and not would:
        out.line(
            "Some groups failed. Re-run the same command to retry them: "
            "groups already done are not sent again."
        )
