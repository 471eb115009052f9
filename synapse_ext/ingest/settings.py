"""``IngestSettings``: the tuning options of an ingestion, in one frozen, validated value.

The options are listed here once: :func:`~synapse_ext.upload_data_collection` takes them as
``settings=`` or as keywords (a shorthand that overrides ``settings``), the CLI builds one
from its flags, and the distributed driver hands one to every shard. What belongs to one run
(``on_progress``, ``journal``, ``executor``, ``collection``) is not a setting.
"""

from __future__ import annotations

from typing import Literal, TypedDict

import attrs

from ..policy import RetryPolicy
from ..upload._files import MiB
from ._protocol_v2 import DEFAULT_LOOKUP_THRESHOLD

__all__ = ["API_CHOICES", "MAX_CHUNK", "MAX_UNIT_BATCH", "ApiChoice", "IngestSettings"]

ApiChoice = Literal["auto", "v1", "v2"]
"""Which API an ingestion speaks; ``auto``: v2 when the server offers it, else v1."""
API_CHOICES: tuple[ApiChoice, ...] = ("auto", "v1", "v2")

MAX_CHUNK = 5 * 1024**3
"""The largest chunk, and the largest file sent in one request (5 GiB): the API states no
maximum, so S3's part and single-PUT limit is taken (``docs/decisions.md``)."""
MAX_UNIT_BATCH = 1000
"""The most data units one request creates."""


def _int(name: str, value: object, low: int, high: int | None = None) -> None:
    if high is None:
        expected, ok = f">= {low}", isinstance(value, int) and value >= low
    else:
        expected = f"between {low} and {high}"
        ok = isinstance(value, int) and low <= value <= high
    if isinstance(value, bool) or not ok:
        raise ValueError(f"{name} must be an integer {expected}, not {value!r}")


def _bytes(name: str, value: object) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_CHUNK
    if not ok:
        raise ValueError(
            f"{name} must be a number of bytes between 1 and {MAX_CHUNK} (5 GiB), not {value!r}"
        )


def _flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, not {value!r}")


@attrs.frozen
class IngestSettings:
    """How an ingestion runs: batch sizes, concurrency, chunking, API, dry run.

    Frozen and picklable (it travels to the workers of a distributed run); every value is
    checked once, here: a bad one raises ``ValueError`` naming the field, the value and what
    was expected. ``attrs.evolve(settings, dry_run=True)`` (or passing the keyword next to
    ``settings=``) derives a variant, checked again. The fields are documented with
    :func:`~synapse_ext.upload_data_collection`.
    """

    project_id: int | None = None
    """Create a task per unit in this project (``None``: no tasks)."""
    batch_size: int = 200
    """Data units per request (1 to 1000)."""
    max_workers: int | None = None
    """Uploads and lookups in flight (``None``: adaptive from 8 up to 48, or 8 fixed)."""
    chunked_threshold: int = 50 * MiB
    """Files larger than this many bytes are uploaded in chunks or parts (at most 5 GiB)."""
    chunk_size: int = 50 * MiB
    """Bytes per chunk or part (1 B to 5 GiB)."""
    window: int = 1000
    """Groups hashed and checked per round (at least ``batch_size`` are taken)."""
    unit_retry: RetryPolicy | None = None
    """Attempts and jitter of unit batches and tasks (``None``: contract §7, 3 attempts)."""
    api: ApiChoice = "auto"
    """``v1``, ``v2`` or ``auto`` (v2 when the server offers it)."""
    part_concurrency: int = 4
    """Parts of one large file in flight over v2."""
    lookup_threshold: int = DEFAULT_LOOKUP_THRESHOLD
    """Over v2, local files of at most this many bytes skip the checksum lookup (0: none)."""
    dry_run: bool = False
    """Hash and look up, store nothing, count what a run would do."""
    trust_etag: bool = False
    """Take a source file's MD5-shaped ETag as its checksum."""
    adaptive: bool = True
    """Uploads in flight follow the link (``False``: exactly ``max_workers``)."""

    def __attrs_post_init__(self) -> None:
        if self.project_id is not None:
            _int("project_id", self.project_id, 1)
        _int("batch_size", self.batch_size, 1, MAX_UNIT_BATCH)
        if self.max_workers is not None:
            _int("max_workers", self.max_workers, 1)
        _bytes("chunked_threshold", self.chunked_threshold)
        _bytes("chunk_size", self.chunk_size)
        _int("window", self.window, 1)
        if self.unit_retry is not None and not isinstance(self.unit_retry, RetryPolicy):
            raise ValueError(f"unit_retry must be a RetryPolicy or None, not {self.unit_retry!r}")
        if self.api not in API_CHOICES:
            raise ValueError(f"api must be one of {', '.join(API_CHOICES)}, not {self.api!r}")
        _int("part_concurrency", self.part_concurrency, 1)
        _int("lookup_threshold", self.lookup_threshold, 0)
        _flag("dry_run", self.dry_run)
        _flag("trust_etag", self.trust_etag)
        _flag("adaptive", self.adaptive)


class _TuningArgs(TypedDict, total=False):
    """The settings passed on as keywords by ``BackendClient.upload_data_collection``'s
    ``**options`` (its own parameters name the other three)."""

    chunked_threshold: int
    chunk_size: int
    window: int
    unit_retry: RetryPolicy | None
    api: ApiChoice
    part_concurrency: int
    lookup_threshold: int
    dry_run: bool
    trust_etag: bool
    adaptive: bool


class SettingsArgs(_TuningArgs, total=False):
    """Every field of :class:`IngestSettings` as an optional keyword (the shorthand of
    ``upload_data_collection``; a test pins it to the class's fields and types)."""

    project_id: int | None
    batch_size: int
    max_workers: int | None


SETTINGS_FIELDS = frozenset(a.name for a in attrs.fields(IngestSettings))


def settings_of(settings: IngestSettings | None, shorthand: SettingsArgs) -> IngestSettings:
    """``settings`` (default: the defaults) with the keywords given in ``shorthand`` applied;
    an unknown keyword is a ``TypeError`` naming it."""
    unknown = sorted(set(shorthand) - SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
    if settings is None:
        return IngestSettings(**shorthand)
    if not isinstance(settings, IngestSettings):
        raise TypeError(f"settings must be an IngestSettings, not {type(settings).__name__}")
    return attrs.evolve(settings, **shorthand) if shorthand else settings
