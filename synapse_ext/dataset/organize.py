"""Directory → organized groups per file specifications, with a report of all that was left out.

Layout: ``<root>/<spec name>/**/<stem>.<ext>``. A file belongs to the top-level spec folder it is
under (walked recursively unless ``recursive=False``); files are grouped by stem (last suffix
removed) across spec folders, ignoring subfolders. Nothing is dropped silently: every file or
group left out appears in :class:`OrganizeReport` with a :class:`Reason`; only the contract's
system folders and files are skipped without an issue (they are counted). ``root`` is a local
folder (walked with ``os.scandir``) or an fsspec URL (``s3://bucket/prefix``: one recursive
listing of the store, the same rules and the same report; files are then
:class:`~synapse_ext.sources.SourcePath` objects).

Links stay inside the root: a file or folder link whose target resolves outside it is reported
(``link_outside_root``, under the link's own path) and neither read, stat'ed nor listed; only
the link itself is resolved (``lstat``/``readlink``). ``follow_links=True`` follows them.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import attrs

from ..sources import FileRef, SourcePath, SourceTree, list_tree, resolve_source
from .metasheet import MetaSheet, load_meta_sheet
from .specs import Spec, SpecsLike, primary_spec, specs_of

__all__ = [
    "SYSTEM_DIRS",
    "SYSTEM_FILES",
    "OrganizeIssue",
    "OrganizeReport",
    "OrganizeResult",
    "OrganizedGroup",
    "Reason",
    "organize",
    "validate_files_against_collection",
]

logger = logging.getLogger("synapse_ext")

SYSTEM_DIRS = frozenset(
    {"@eaDir", ".@__thumb", "@Recycle", "#recycle", ".synology", "__pycache__", ".git"}
)
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"})


class Reason(StrEnum):
    """Why a file, folder or group was left out."""

    MISSING_REQUIRED = "missing_required_spec"
    UNKNOWN_SPEC_FOLDER = "unknown_spec_folder"
    EXTENSION_NOT_ALLOWED = "extension_not_allowed"
    DUPLICATE_STEM = "duplicate_stem"
    UNREADABLE = "unreadable"
    EMPTY_FILE = "empty_file"
    SYMLINK_LOOP = "symlink_loop"
    NOT_REGULAR_FILE = "not_regular_file"
    OUTSIDE_SPEC_FOLDER = "outside_spec_folder"
    SUBFOLDER_NOT_WALKED = "subfolder_not_walked"
    META_ROW_UNMATCHED = "meta_row_unmatched"
    LINK_OUTSIDE_ROOT = "link_outside_root"


@attrs.frozen
class OrganizeIssue:
    """One thing left out: a file, a folder, a group or a metadata row."""

    reason: Reason
    message: str
    path: FileRef | None = None
    """The file or folder concerned (``None`` for group-level issues)."""
    group: str | None = None
    """The group key (stem) concerned, if any."""
    spec: str | None = None
    """The spec folder concerned, if any."""
    paths: tuple[FileRef, ...] = ()
    """All files concerned, for group-level issues (e.g. the duplicates)."""


@attrs.define
class OrganizeReport:
    """Every skipped or invalid file, folder and group, plus counters."""

    issues: list[OrganizeIssue] = attrs.Factory(list)
    files_seen: int = 0
    """Regular files and links found under spec folders and the root (system files excluded;
    links leading outside the root are not counted unless followed)."""
    system_skipped: int = 0
    """System folders and files skipped by name (``SYSTEM_DIRS``, ``SYSTEM_FILES``)."""
    follow_links: bool = False
    """True when links leading outside the root were followed (``follow_links=True``)."""
    links_outside_followed: int = 0
    """With ``follow_links``: how many links leading outside the root were followed."""

    @property
    def ok(self) -> bool:
        """True when nothing was left out."""
        return not self.issues

    def by_reason(self) -> dict[Reason, list[OrganizeIssue]]:
        """Issues grouped by reason."""
        out: dict[Reason, list[OrganizeIssue]] = defaultdict(list)
        for issue in self.issues:
            out[issue.reason].append(issue)
        return dict(out)

    def counts(self) -> dict[str, int]:
        """Number of issues per reason code."""
        return {str(reason): len(items) for reason, items in self.by_reason().items()}


@attrs.frozen(eq=True, hash=False)
class OrganizedGroup:
    """One future data unit: spec name → file, plus its ``meta`` (and optional group path)."""

    key: str
    files: Mapping[str, FileRef]
    """Spec name → file: a local ``Path``, or a ``SourcePath`` for a source URL."""
    meta: Mapping[str, object]
    groups: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The product page's shape: ``{'files': {spec: Path}, 'meta': {...}}`` (+ ``groups``)."""
        out: dict[str, object] = {"files": dict(self.files), "meta": dict(self.meta)}
        if self.groups:
            out["groups"] = list(self.groups)
        return out


@attrs.frozen(eq=False)
class OrganizeResult:
    """The organized groups, sorted by key, and the report of what was left out."""

    groups: list[OrganizedGroup]
    report: OrganizeReport

    def __iter__(self) -> Iterator[OrganizedGroup]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def to_dicts(self) -> list[dict[str, object]]:
        """Every group in the product page's dict shape."""
        return [g.to_dict() for g in self.groups]


def split_name(name: str) -> tuple[str, str]:
    """``(stem, suffix)`` with the last suffix removed (``"a.tar.gz"`` → ``("a.tar", ".gz")``)."""
    stem, suffix = os.path.splitext(name)  # noqa: PTH122 - str in, str out, no Path needed
    return stem, suffix


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """``entry.is_dir()``, False when it cannot tell (a link loop raises ELOOP there): the
    file rules then stat it and report why."""
    try:
        return entry.is_dir()
    except OSError:
        return False


class _Walker:
    """Streams spec folders with os.scandir and collects candidates per stem and spec."""

    def __init__(
        self, root: Path, specs: tuple[Spec, ...], recursive: bool, follow_links: bool = False
    ) -> None:
        self.root = root
        self.real_root = Path(os.path.realpath(root))  # the root may itself be a link
        self.specs = {s.name: s for s in specs}
        self.recursive = recursive
        self.report = OrganizeReport(follow_links=follow_links)
        self.candidates: dict[str, dict[str, list[FileRef]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.visited: set[tuple[int, int]] = set()

    def issue(self, reason: Reason, message: str, **kwargs: Any) -> None:
        self.report.issues.append(OrganizeIssue(reason, message, **kwargs))

    def _dir_identity(self, path: str) -> tuple[int, int] | None:
        try:
            st = os.stat(path)  # noqa: PTH116 - hot path over scandir strings
        except OSError as exc:
            reason = Reason.SYMLINK_LOOP if exc.errno == errno.ELOOP else Reason.UNREADABLE
            self.issue(reason, f"cannot enter folder: {exc.strerror}", path=Path(path))
            return None
        return st.st_dev, st.st_ino

    def _leaves_root(self, entry: os.DirEntry[str], spec: str | None) -> bool:
        """True (and reported) when ``entry`` is a link whose target is outside the root and
        links are not followed. Only the link chain is resolved (``os.path.realpath``: lstat
        and readlink; unlike ``Path.resolve`` it never stats the target)."""
        if not entry.is_symlink():  # d_type or lstat: the target is not looked at
            return False
        target = Path(os.path.realpath(entry.path))
        if target.is_relative_to(self.real_root):
            return False
        if self.report.follow_links:
            self.report.links_outside_followed += 1
            return False
        self.issue(
            Reason.LINK_OUTSIDE_ROOT,
            "link leads outside the dataset root; not followed (follow_links=True, "
            "--follow-links, follows it)",
            path=Path(entry.path),
            spec=spec,
        )
        return True

    def _enter(self, path: str, spec: str | None) -> bool:
        ident = self._dir_identity(path)
        if ident is None:
            return False
        if ident in self.visited:
            self.issue(
                Reason.SYMLINK_LOOP,
                "folder already walked (a symlink loop or a second link to it); not walked again",
                path=Path(path),
                spec=spec,
            )
            return False
        self.visited.add(ident)
        return True

    def run(self) -> None:
        if not self._enter(os.fspath(self.root), None):
            raise NotADirectoryError(f"cannot walk {self.root}")
        with os.scandir(self.root) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if self._leaves_root(entry, None):
                continue
            if _is_dir(entry):
                if entry.name in SYSTEM_DIRS:
                    self.report.system_skipped += 1
                elif entry.name in self.specs:
                    self._walk_spec(self.specs[entry.name], entry.path)
                else:
                    self.issue(
                        Reason.UNKNOWN_SPEC_FOLDER,
                        f"folder {entry.name!r} matches no file specification "
                        f"(known: {', '.join(sorted(self.specs))}); not walked",
                        path=Path(entry.path),
                    )
            elif entry.name in SYSTEM_FILES:
                self.report.system_skipped += 1
            else:
                self.report.files_seen += 1
                self.issue(
                    Reason.OUTSIDE_SPEC_FOLDER,
                    "file is not inside a spec folder",
                    path=Path(entry.path),
                )

    def _walk_spec(self, spec: Spec, top: str) -> None:
        if not self._enter(top, spec.name):
            return
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except OSError as exc:
                self.issue(
                    Reason.UNREADABLE,
                    f"cannot list folder: {exc.strerror}",
                    path=Path(folder),
                    spec=spec.name,
                )
                continue
            for entry in entries:
                if self._leaves_root(entry, spec.name):
                    continue
                if _is_dir(entry):
                    if entry.name in SYSTEM_DIRS:
                        self.report.system_skipped += 1
                    elif not self.recursive:
                        self.issue(
                            Reason.SUBFOLDER_NOT_WALKED,
                            "subfolder skipped (recursive=False)",
                            path=Path(entry.path),
                            spec=spec.name,
                        )
                    else:
                        self._named_like_file(spec, entry.name, Path(entry.path))
                        if self._enter(entry.path, spec.name):
                            stack.append(entry.path)
                elif entry.name in SYSTEM_FILES:
                    self.report.system_skipped += 1
                else:
                    self._file(spec, entry)

    def _named_like_file(self, spec: Spec, name: str, path: FileRef) -> None:
        """Report a subfolder named like a file of ``spec`` (``image/x.png/``): a folder is
        never uploaded as a file, which the user may expect; its files are walked as usual."""
        suffix = split_name(name)[1]
        if not suffix or spec.extensions is None or not spec.allows(suffix):
            return
        self.issue(
            Reason.NOT_REGULAR_FILE,
            f"a folder named like a {spec.name!r} file ({suffix}): a folder is not uploaded "
            "as a file (the files inside it, if any, are organized as usual)",
            path=path,
            spec=spec.name,
        )

    def _file(self, spec: Spec, entry: os.DirEntry[str]) -> None:
        self.report.files_seen += 1
        path = Path(entry.path)
        try:
            st = entry.stat()  # follows file symlinks
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self.issue(Reason.SYMLINK_LOOP, "symlink loop", path=path, spec=spec.name)
            else:
                what = "broken symlink" if entry.is_symlink() else "cannot stat file"
                self.issue(Reason.UNREADABLE, f"{what}: {exc.strerror}", path=path, spec=spec.name)
            return
        if not stat.S_ISREG(st.st_mode):
            self.issue(
                Reason.NOT_REGULAR_FILE,
                "not a regular file (device, FIFO or socket)",
                path=path,
                spec=spec.name,
            )
            return
        if not self._admissible(spec, path, entry.name, st.st_size):
            return
        if not os.access(path, os.R_OK):
            self.issue(Reason.UNREADABLE, "no permission to read", path=path, spec=spec.name)
            return
        self.candidates[split_name(entry.name)[0]][spec.name].append(path)

    def _admissible(self, spec: Spec, path: FileRef, name: str, size: int) -> bool:
        """The extension and size rules (an issue when broken), for local and source files."""
        stem, suffix = split_name(name)
        if not spec.allows(suffix):
            allowed = ", ".join(sorted(spec.extensions or ()))
            self.issue(
                Reason.EXTENSION_NOT_ALLOWED,
                f"extension {suffix or '(none)'!r} not allowed for {spec.name!r} "
                f"(allowed: {allowed})",
                path=path,
                group=stem,
                spec=spec.name,
            )
            return False
        if size == 0:
            self.issue(Reason.EMPTY_FILE, "file is empty", path=path, group=stem, spec=spec.name)
            return False
        return True


class _TreeWalker(_Walker):
    """The same walk over a source's listing (:func:`~synapse_ext.sources.list_tree`):
    folders are prefixes, so there are no links, loops or special files to meet (a local
    ``file://`` source is a ``Path`` and takes the walk above, links rule included)."""

    def __init__(
        self,
        root: SourcePath,
        specs: tuple[Spec, ...],
        recursive: bool,
        tree: SourceTree,
        follow_links: bool = False,
    ) -> None:
        super().__init__(Path(), specs, recursive, follow_links)
        self.source_root = root
        self.tree = tree

    def run(self) -> None:
        for entry in sorted(self.tree.get(self.source_root.path, []), key=lambda e: e.name):
            if entry.is_dir:
                if entry.name in SYSTEM_DIRS:
                    self.report.system_skipped += 1
                elif entry.name in self.specs:
                    self._walk_tree(self.specs[entry.name], entry)
                else:
                    self.issue(
                        Reason.UNKNOWN_SPEC_FOLDER,
                        f"folder {entry.name!r} matches no file specification "
                        f"(known: {', '.join(sorted(self.specs))}); not walked",
                        path=entry,
                    )
            elif entry.name in SYSTEM_FILES:
                self.report.system_skipped += 1
            else:
                self.report.files_seen += 1
                self.issue(
                    Reason.OUTSIDE_SPEC_FOLDER, "file is not inside a spec folder", path=entry
                )

    def _walk_tree(self, spec: Spec, top: SourcePath) -> None:
        stack = [top]
        while stack:
            folder = stack.pop()
            for entry in self.tree.get(folder.path, []):
                if entry.is_dir:
                    if entry.name in SYSTEM_DIRS:
                        self.report.system_skipped += 1
                    elif not self.recursive:
                        self.issue(
                            Reason.SUBFOLDER_NOT_WALKED,
                            "subfolder skipped (recursive=False)",
                            path=entry,
                            spec=spec.name,
                        )
                    else:
                        self._named_like_file(spec, entry.name, entry)
                        stack.append(entry)
                elif entry.name in SYSTEM_FILES:
                    self.report.system_skipped += 1
                else:
                    self.report.files_seen += 1
                    if self._admissible(spec, entry, entry.name, entry.size or 0):
                        self.candidates[split_name(entry.name)[0]][spec.name].append(entry)


def _build_groups(
    walker: _Walker,
    specs: tuple[Spec, ...],
    meta: Mapping[str, object] | None,
    sheet: MetaSheet | None,
    group_path: tuple[str, ...],
) -> list[OrganizedGroup]:
    primary = primary_spec(specs)
    required = [s.name for s in specs if s.is_required]
    order = [s.name for s in specs]
    groups: list[OrganizedGroup] = []
    for key in sorted(walker.candidates):
        by_spec = walker.candidates[key]
        duplicates = {name: paths for name, paths in by_spec.items() if len(paths) > 1}
        if duplicates:
            all_paths = tuple(sorted(p for paths in duplicates.values() for p in paths))
            names = ", ".join(sorted(duplicates))
            walker.issue(
                Reason.DUPLICATE_STEM,
                f"stem {key!r} appears more than once in {names}: "
                + ", ".join(str(p) for p in all_paths),
                group=key,
                spec=sorted(duplicates)[0],
                paths=all_paths,
            )
            continue
        missing = [name for name in required if name not in by_spec]
        if missing:
            present = tuple(sorted(paths[0] for paths in by_spec.values()))
            walker.issue(
                Reason.MISSING_REQUIRED,
                f"group {key!r} lacks required spec(s): {', '.join(missing)}",
                group=key,
                spec=missing[0],
                paths=present,
            )
            continue
        files = {name: by_spec[name][0] for name in order if name in by_spec}
        lead = files.get(primary.name) or next(iter(files.values()))
        group_meta: dict[str, Any] = {
            "origin_file_stem": key,
            "origin_file_extension": split_name(lead.name)[1].lower(),
        }
        group_meta.update(meta or {})
        if sheet is not None:
            group_meta.update(sheet.match(key, (p.name for p in files.values())))
        groups.append(OrganizedGroup(key=key, files=files, meta=group_meta, groups=group_path))
    return groups


def organize(
    root: str | os.PathLike[str] | SourcePath,
    collection_or_specs: SpecsLike,
    *,
    meta: Mapping[str, object] | None = None,
    meta_sheet: str | os.PathLike[str] | MetaSheet | None = None,
    recursive: bool = True,
    group_name: str | None = None,
    source_options: Mapping[str, object] | None = None,
    follow_links: bool = False,
) -> OrganizeResult:
    """Organize ``root`` into groups per the collection's file specifications.

    ``root`` is a local folder or an fsspec URL (``s3://bucket/prefix``, ``gs://...``,
    ``file://...``); ``source_options`` go to its filesystem (e.g. ``{"endpoint_url": ...}``;
    credentials otherwise come from the backend's standard chain). ``meta`` is added to every
    group's meta; ``meta_sheet`` (CSV or Excel, first header ``filename``/``file_name``) adds
    per-stem columns as strings; ``group_name`` sets ``groups=[group_name]``. A link (file or
    folder) whose target resolves outside ``root`` is skipped as ``link_outside_root`` and
    nothing behind it is read; ``follow_links=True`` follows it (the report says so and counts
    them). Links that stay inside ``root`` are followed either way. Left-out files,
    folders and groups are in ``result.report``. A source that cannot be used raises
    :class:`~synapse_ext.sources.SourceError`.
    """
    specs = specs_of(collection_or_specs)
    sheet = (
        meta_sheet
        if isinstance(meta_sheet, MetaSheet) or meta_sheet is None
        else load_meta_sheet(Path(meta_sheet))
    )
    where = resolve_source(root, source_options)
    walker: _Walker
    if isinstance(where, SourcePath):
        walker = _TreeWalker(where, specs, recursive, list_tree(where), follow_links)
    else:
        walker = _Walker(where, specs, recursive, follow_links)
    walker.run()
    groups = _build_groups(walker, specs, meta, sheet, (group_name,) if group_name else ())
    if sheet is not None:
        for name in sheet.unused():
            walker.issue(
                Reason.META_ROW_UNMATCHED,
                f"metadata row {name!r} matches no organized group",
                group=name,
            )
    walker.report.issues.sort(key=_issue_order)
    return OrganizeResult(groups=groups, report=walker.report)


def _issue_order(issue: OrganizeIssue) -> tuple[str, str, str]:
    return (str(issue.reason), issue.group or "", str(issue.path or ""))


def _file_type(path: Path, names: Mapping[str, Spec]) -> str | None:
    for part in reversed(path.parent.parts):
        if part in names:
            return part
    return None


def validate_files_against_collection(
    file_paths: Iterable[str | os.PathLike[str]], collection: SpecsLike
) -> list[dict[str, object]]:
    """Check each path's type (the spec folder named in its path) against the collection.

    Returns ``[{'path', 'type', 'valid'}]`` (plus ``'reason'`` when invalid) in input order;
    the type is ``'unknown'`` when no spec folder is in the path. Warnings go to the logger.
    """
    specs = {s.name: s for s in specs_of(collection)}
    out: list[dict[str, object]] = []
    for raw in file_paths:
        path = Path(raw)
        file_type = _file_type(path, specs)
        entry: dict[str, object] = {"path": raw, "type": file_type or "unknown", "valid": True}
        if file_type is None:
            entry.update(valid=False, reason=str(Reason.UNKNOWN_SPEC_FOLDER))
            logger.warning("unknown file type for %s: no spec folder in its path", path)
        elif not specs[file_type].allows(path.suffix):
            entry.update(valid=False, reason=str(Reason.EXTENSION_NOT_ALLOWED))
            logger.warning("extension %r not allowed for %r: %s", path.suffix, file_type, path)
        out.append(entry)
    return out
