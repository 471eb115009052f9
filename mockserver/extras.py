"""The fake's optional dependencies (the ``mock`` extra) and the error that names them.

``import mockserver`` (and its pytest plugin) needs only httpx. Serving the fake needs the
``mock`` extra: respx (in-process mode), uvicorn (server mode), python-multipart (both), and
openapi-core with PyYAML for contract checking (``validate=True``). Modules that need them
import them at the top; callers import those modules where the feature is used and turn a
missing package into :class:`MissingExtraError` with :func:`check_extra`.
"""

from __future__ import annotations

__all__ = [
    "EXTRA_MODULES",
    "INSTALL_HINT",
    "S3_EXTRA_MODULES",
    "S3_INSTALL_HINT",
    "MissingExtraError",
    "check_extra",
    "check_s3_extra",
]

INSTALL_HINT = "pip install 'synapse-dc[mock]'"
S3_INSTALL_HINT = "pip install 'synapse-dc[mock-s3]'"
S3_EXTRA_MODULES = frozenset({"botocore", "jmespath", "dateutil", "urllib3"})
"""Top-level modules of the ``mock-s3`` extra (botocore and its dependencies): a real S3
endpoint as the fake's object storage (``--storage-endpoint``)."""
EXTRA_MODULES = frozenset(
    {
        "httptools",
        "jsonschema",
        "jsonschema_path",
        "multipart",
        "openapi_core",
        "python_multipart",
        "respx",
        "uvicorn",
        "werkzeug",
        "yaml",
    }
)
"""Top-level modules provided by the ``mock`` extra's packages (and theirs)."""


class MissingExtraError(ImportError):
    """A feature of the fake needs a package of the ``mock`` extra that is not installed."""

    def __init__(self, feature: str, missing: str, hint: str = INSTALL_HINT) -> None:
        super().__init__(
            f"{feature} needs the fake backend's optional dependencies "
            f"({missing!r} is not installed): {hint}",
            name=missing,
        )
        self.feature = feature
        self.missing = missing


def check_extra(feature: str, error: ImportError) -> None:
    """Raise :class:`MissingExtraError` if ``error`` is a missing package of the extra.

    Returns (so the caller re-raises ``error``) for any other import error: a bug in the fake
    must not be reported as a missing installation.
    """
    root = (error.name or "").split(".")[0]
    if root in EXTRA_MODULES:
        raise MissingExtraError(feature, root) from error


def check_s3_extra(feature: str, error: ImportError) -> None:
    """:func:`check_extra` for the ``mock-s3`` extra (botocore)."""
    root = (error.name or "").split(".")[0]
    if root in S3_EXTRA_MODULES:
        raise MissingExtraError(feature, root, S3_INSTALL_HINT) from error
