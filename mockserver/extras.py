"""The fake's optional dependencies (the ``mock`` extra) and the error that names them.

``import mockserver`` (and its pytest plugin) needs only httpx. Serving the fake needs the
``mock`` extra: respx (in-process mode), uvicorn (server mode), python-multipart (both), and
openapi-core with PyYAML for contract checking (``validate=True``). Modules that need them
import them at the top; callers import those modules where the feature is used and turn a
missing package into :class:`MissingExtraError` with :func:`check_extra`.
"""

from __future__ import annotations

__all__ = ["EXTRA_MODULES", "INSTALL_HINT", "MissingExtraError", "check_extra"]

INSTALL_HINT = "pip install 'synapse-dc[mock]'"
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

    def __init__(self, feature: str, missing: str) -> None:
        super().__init__(
            f"{feature} needs the fake backend's optional dependencies "
            f"({missing!r} is not installed): {INSTALL_HINT}",
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
