"""Every error class ``synapse_ext`` exports sits under one root, ``SynapseError``.

The walk imports every module of the package (``pkgutil.walk_packages``), so an error class
added anywhere, exported or merely public in its module, is checked without being listed
here. Private classes (a leading underscore) are internal signals, not errors a caller sees.
"""

from __future__ import annotations

import importlib
import pkgutil

import synapse_ext
from synapse_ext import SynapseError

# The builtin bases callers may rely on: ``except ValueError`` still catches what it caught.
BUILTIN_BASES = {
    "SourceError": ValueError,
    "EmptyFileError": ValueError,
    "SeedCompatError": ValueError,
    "DaskAddressError": ValueError,
    "UploadPlanError": ValueError,
    "FileChangedError": OSError,
    "MissingDaskError": ImportError,
}


def _public_exception_classes() -> dict[str, type[BaseException]]:
    """Qualified name → class, for every exception class public in a module of the package."""
    found: dict[str, type[BaseException]] = {}
    modules = [synapse_ext.__name__] + [
        info.name for info in pkgutil.walk_packages(synapse_ext.__path__, "synapse_ext.")
    ]
    for name in modules:
        module = importlib.import_module(name)
        names = set(getattr(module, "__all__", ())) | {
            attr
            for attr, value in vars(module).items()
            if isinstance(value, type) and value.__module__ == name
        }
        for attr in names:
            value = getattr(module, attr)
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__.startswith("synapse_ext")
                and not value.__name__.startswith("_")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_exception_class_of_the_package_is_a_synapse_error() -> None:
    classes = _public_exception_classes()
    names = {cls.__name__ for cls in classes.values()}
    # The walk reaches every layer (not only errors.py): sources, upload, compat, distributed, cli.
    assert set(BUILTIN_BASES) | {"ClientError", "SourceUnreachableError", "CliError"} <= names
    outside = sorted(q for q, cls in classes.items() if not issubclass(cls, SynapseError))
    assert outside == []


def test_errors_that_were_builtin_errors_keep_their_base() -> None:
    by_name = {cls.__name__: cls for cls in _public_exception_classes().values()}
    kept = {name: issubclass(by_name[name], base) for name, base in BUILTIN_BASES.items()}
    assert kept == dict.fromkeys(BUILTIN_BASES, True)


def test_every_public_error_is_exported_by_its_package() -> None:
    """An error public in a module is in its package's ``__all__`` (re-exported from the
    package's ``__init__``), so users catch it without importing a private module."""
    missing = []
    for qualified, cls in _public_exception_classes().items():
        module = cls.__module__
        package = module if module == "synapse_ext" else module.rsplit(".", 1)[0]
        exported = set(getattr(importlib.import_module(package), "__all__", ()))
        if cls.__name__ not in exported:
            missing.append(f"{qualified} (not in {package}.__all__)")
    assert missing == []
