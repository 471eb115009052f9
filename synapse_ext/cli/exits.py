"""Exit codes of ``synapse-dc`` and the one-line messages of the errors that end a command."""

from __future__ import annotations

import errno
import sqlite3
from enum import IntEnum
from pathlib import Path

from ..errors import (
    AuthenticationError,
    AuthorizationError,
    ClientError,
    NoResponseError,
    NotFoundError,
    ProtocolError,
    ServerError,
    SynapseError,
)

__all__ = ["CliError", "ExitCode", "describe_error", "journal_unusable"]


class ExitCode(IntEnum):
    """What the process exit code means (documented in the README)."""

    OK = 0
    """Everything requested was done (organize skips are reported, not failures)."""
    FAILED = 1
    """Some groups failed; re-running the same command retries only those."""
    USAGE = 2
    """Bad flags or arguments, missing configuration, unusable directory or journal."""
    AUTH = 3
    """The server refused the credentials (401) or the tenant/permission (403)."""
    NOT_FOUND = 4
    """The collection (or another named object) does not exist or is not visible."""
    UNAVAILABLE = 5
    """The server could not be reached, failed (5xx) or answered something unreadable."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C); re-run the same command to resume."""


class CliError(SynapseError):
    """An error that ends the command with ``code`` and one line: ``message``."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def describe_error(error: BaseException, base_url: str | None = None) -> CliError:
    """The exit code and the one-line message (what went wrong, what to do) for ``error``."""
    if isinstance(error, CliError):
        return error
    where = f" at {base_url}" if base_url else ""
    if isinstance(error, AuthenticationError):
        return CliError(
            ExitCode.AUTH,
            f"authentication failed{where} ({error}); "
            "check --token / SYNAPSE_ACCESS_TOKEN (and --tenant / SYNAPSE_TENANT)",
        )
    if isinstance(error, AuthorizationError):
        return CliError(
            ExitCode.AUTH,
            f"not allowed{where} ({error}); "
            "check --tenant / SYNAPSE_TENANT and the token's permissions",
        )
    if isinstance(error, NotFoundError):
        return CliError(ExitCode.NOT_FOUND, f"not found{where} ({error})")
    if isinstance(error, NoResponseError):
        return CliError(
            ExitCode.UNAVAILABLE,
            f"cannot reach the server{where} ({error.detail}); "
            "check --base-url / SYNAPSE_BASE_URL and the network, then retry",
        )
    if isinstance(error, ServerError | ProtocolError):
        return CliError(
            ExitCode.UNAVAILABLE,
            f"the server failed{where} ({error}); retry later (finished work is not redone)",
        )
    if isinstance(error, ClientError):
        return CliError(ExitCode.UNAVAILABLE, f"request rejected{where} ({error})")
    if isinstance(error, sqlite3.Error):
        return CliError(
            ExitCode.USAGE,
            f"the ingestion journal is unusable ({error}); pass --journal with another file "
            "path, or --no-resume to keep it in memory",
        )
    return CliError(ExitCode.FAILED, f"{type(error).__name__}: {error}")


_NO_ACCESS = (errno.EACCES, errno.EPERM, errno.EROFS)


def _journal_cause(path: Path, error: BaseException) -> tuple[str, str]:
    """``(what is wrong with the journal at path, what to do)`` for the error opening it."""
    another = "pass --journal with another file path, or --no-resume to keep it in memory"
    text = str(error).lower()
    if path.is_dir():
        return "is a folder", f"pass a file path such as {path / 'journal.sqlite3'}, or --no-resume"
    if isinstance(error, NotADirectoryError | FileExistsError) or (
        isinstance(error, OSError) and error.errno == errno.ENOTDIR
    ):
        return "a parent of it is a file, not a folder", another
    denied = isinstance(error, OSError) and error.errno in _NO_ACCESS
    if denied or "readonly" in text or "permission" in text:
        return "permission denied (it or its folder is not writable)", another
    if isinstance(error, sqlite3.DatabaseError) and "not a database" in text:
        return (
            "not a journal (corrupt, or another kind of file)",
            "move it away (the next run finds the units on the server again) or " + another,
        )
    return f"cannot be opened ({error})", another


def journal_unusable(path: Path, error: BaseException) -> CliError:
    """The usage error for a journal file that cannot be opened: its path, why, what to do."""
    cause, fix = _journal_cause(path, error)
    return CliError(ExitCode.USAGE, f"journal {path}: {cause}; {fix}")
