"""``make demo``: upload ``examples/dataset`` into the in-process fake backend, end to end.

The equivalent of ``synapse-dc --mock upload examples/dataset --collection 1 --project 1``,
with the progress shown even when stderr is not a terminal (as plain text lines).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .cli import main as cli_main

__all__ = ["dataset_path", "main"]


def dataset_path() -> str:
    """``examples/dataset`` of this checkout, relative to the current folder when possible."""
    candidates = [Path.cwd() / "examples" / "dataset"]
    candidates.append(Path(__file__).resolve().parent.parent / "examples" / "dataset")
    for path in candidates:
        if path.is_dir():
            try:
                return os.path.relpath(path)
            except ValueError:  # pragma: no cover - another drive on Windows
                return str(path)
    raise SystemExit("examples/dataset not found: run the demo from the repository root")


def main() -> int:
    """Run the demo; the exit code is the CLI's (0 when every group was uploaded)."""
    progress = "bar" if sys.stderr.isatty() else "plain"
    command = ["--mock", "upload", dataset_path(), "--collection", "1", "--project", "1"]
    print(f"$ synapse-dc {' '.join(command)}", flush=True)
    return cli_main([*command, "--progress", progress])


if __name__ == "__main__":
    sys.exit(main())
