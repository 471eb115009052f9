"""Helpers to run the fake as a subprocess (CLI tests and the memory test)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def cli_server(
    command: Sequence[str], timeout: float = 30
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start a server command; yield (process, base URL read from its first line)."""
    process = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("http://"), (first, process.stderr.read() if process.stderr else "")
        yield process, first
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=timeout)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def python_m(*args: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", *args]


def console_script(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name
