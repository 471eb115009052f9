"""Regenerate the typed client from openapi.yaml, or check that the committed copy is current.

    python scripts/generate.py            # rebuild generated/ from scratch
    python scripts/generate.py --check    # fail with a diff summary if generated/ is stale
    python scripts/generate.py --spec S --out DIR   # generate S into DIR/synapse_client

The generator runs with --fail-on-warning and isolated ruff hooks (see openapi-python-client.yaml),
so the output depends only on openapi.yaml, the config and the pinned tool versions.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "synapse_client"
CONFIG = ROOT / "openapi-python-client.yaml"


def generate(spec: Path, out_dir: Path) -> None:
    """Generate `spec` into `out_dir/synapse_client`, replacing whatever was there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / PACKAGE, ignore_errors=True)
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [
        str(bin_dir / "openapi-python-client"),
        "generate",
        "--path",
        str(spec.resolve()),
        "--meta",
        "none",
        "--config",
        str(CONFIG),
        "--fail-on-warning",
    ]
    result = subprocess.run(cmd, cwd=out_dir, env=env, capture_output=True, text=True)
    if result.returncode != 0 or "Warning" in result.stdout:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"openapi-python-client failed on {spec.name} (exit {result.returncode})")


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Return a readable summary of how `actual` differs from `expected`."""
    lines: list[str] = []

    def walk(cmp: filecmp.dircmp[str], rel: Path) -> None:
        for name in sorted(cmp.left_only):
            lines.append(f"  missing from generated/: {rel / name}")
        for name in sorted(cmp.right_only):
            lines.append(f"  stale file in generated/: {rel / name}")
        for name in sorted(cmp.diff_files):
            old = (Path(cmp.right) / name).read_text().splitlines()
            new = (Path(cmp.left) / name).read_text().splitlines()
            changed = sum(1 for d in difflib.ndiff(old, new) if d[:1] in "+-")
            lines.append(f"  differs: {rel / name} ({changed} lines)")
            for d in list(difflib.unified_diff(old, new, "committed", "fresh", n=0, lineterm=""))[
                :12
            ]:
                lines.append(f"      {d}")
        for sub, sub_cmp in sorted(cmp.subdirs.items()):
            walk(sub_cmp, rel / sub)

    walk(filecmp.dircmp(expected, actual, ignore=["__pycache__"]), Path(PACKAGE))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "generated")
    args = parser.parse_args()
    if not args.check:
        generate(args.spec, args.out)
        print(f"generated {args.out / PACKAGE} from {args.spec.name}")
        return 0
    # Generate inside the repo so nothing depends on the temp folder's location.
    (ROOT / ".cache").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="check-", dir=ROOT / ".cache") as tmp:
        generate(args.spec, Path(tmp))
        problems = diff_trees(Path(tmp) / PACKAGE, args.out / PACKAGE)
    if problems:
        print("generated/ is stale: run `make generate` and commit the result.")
        print("\n".join(problems))
        return 1
    print("generated/ matches openapi.yaml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
