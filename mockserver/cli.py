"""``synapse-mock serve``: the fake backend as a real HTTP server.

The first line printed is the base URL (flushed), so ``--port 0`` can be used by scripts; the
object storage's URL (its own port, or ``--storage-endpoint``) and the dashboard's
(``<base URL>/_mock/``) are printed on stderr.
SIGINT and SIGTERM stop the server gracefully; the exit code is then 0. Without the ``mock``
extra it says what to install and exits with code 2.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from types import FrameType

from mockserver.extras import MissingExtraError
from mockserver.fixtures import DEFAULT_TOKEN
from mockserver.mock import mock_synapse
from mockserver.presigned import DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MIN_PART_SIZE

__all__ = ["main", "parse_size"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="synapse-mock", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the fake backend over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--token", default=DEFAULT_TOKEN, help="access token to accept")
    serve.add_argument("--tenant", default=None, help="tenant code the token belongs to")
    serve.add_argument("--fixtures", default=None, help="JSON fixtures file")
    serve.add_argument("--storage", default=None, help="folder for uploaded content")
    serve.add_argument(
        "--storage-endpoint",
        default=None,
        metavar="URL",
        help="a real S3 endpoint as the object storage (needs botocore: the mock-s3 extra)",
    )
    serve.add_argument(
        "--storage-bucket", default=None, metavar="NAME", help="its bucket (default synapse-mock)"
    )
    serve.add_argument("--latency-ms", type=int, default=0, help="added to every response")
    serve.add_argument("--max-upload-bytes", type=int, default=None)
    serve.add_argument("--validate", action="store_true", help="check traffic against the spec")
    serve.add_argument(
        "--multipart-threshold",
        type=parse_size,
        default=DEFAULT_MULTIPART_THRESHOLD,
        metavar="SIZE",
        help="presigned uploads of this size or more are multipart (default 100MiB)",
    )
    serve.add_argument(
        "--part-size",
        type=_part_size,
        default=DEFAULT_PART_SIZE,
        metavar="SIZE",
        help="part size of multipart presigned uploads, at least 5MiB (default 8MiB)",
    )
    return parser


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS.update({"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40})
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str) -> int:
    """``5MiB``, ``100MB``, ``8388608``: a size in bytes (binary and decimal units)."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise argparse.ArgumentTypeError(
            f"invalid size {text!r}: give bytes or a number with B, KB, MB, GB, KiB, MiB, GiB"
        )
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 1:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}: must be at least 1 byte")
    return size


def _part_size(text: str) -> int:
    size = parse_size(text)
    if size < MIN_PART_SIZE:
        raise argparse.ArgumentTypeError(f"part size {text!r} is below S3's minimum of 5MiB")
    return size


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``synapse-mock`` and ``python -m mockserver``."""
    args = _parser().parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    with ExitStack() as stack:
        try:
            fake = stack.enter_context(
                mock_synapse(
                    mode="server",
                    host=args.host,
                    port=args.port,
                    token=args.token,
                    tenant=args.tenant,
                    fixtures=args.fixtures,
                    storage=args.storage,
                    storage_endpoint=args.storage_endpoint,
                    storage_bucket=args.storage_bucket,
                    validate=args.validate,
                    latency_ms=args.latency_ms,
                    max_upload_bytes=args.max_upload_bytes,
                    multipart_threshold=args.multipart_threshold,
                    part_size=args.part_size,
                )
            )
        except MissingExtraError as exc:
            print(f"synapse-mock: {exc}", file=sys.stderr, flush=True)
            return 2
        # A served fake logs violations and answers anyway; tests raise them instead.
        fake.dispatcher.raise_violations = False
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
        print(fake.base_url, flush=True)
        print(
            f"synapse-mock: serving the fake Synapse backend at {fake.base_url}",
            file=sys.stderr,
            flush=True,
        )
        print(f"synapse-mock: object storage at {fake.storage_url}", file=sys.stderr, flush=True)
        print(f"synapse-mock: dashboard at {fake.base_url}/_mock/", file=sys.stderr, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
