"""The fake backend's state: tenants, collections, files, uploads, units, tasks.

Plain Python with no HTTP. Every public method takes the caller's tenant code and raises
:class:`~mockserver.errors.ApiError` with the status and body the real API would send. A
re-entrant lock makes it safe to share between the threaded HTTP server and test code; the
lock is this module's own: other modules read the state through methods and
:meth:`Backend.snapshot`. File content is spooled to ``storage`` (a temp dir by default) under
generated names.
"""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mockserver.clock import Clock, utc_now
from mockserver.errors import (
    ApiError,
    InvalidRequest,
    bad_request,
    field_error,
    forbidden,
    not_found,
)
from mockserver.fixtures import CAUTIONS, default_fixtures
from mockserver.hashing import SegmentHasher, hashing_pool
from mockserver.http import UploadedFile
from mockserver.models import (
    STATUS_COMPLETE,
    ChunkedUpload,
    DataCollection,
    DataFile,
    DataUnit,
    FileSpec,
    Project,
    Task,
    Tenant,
    UnitFile,
)
from mockserver.presigned import (
    DEFAULT_MULTIPART_THRESHOLD,
    DEFAULT_PART_SIZE,
    PresignedUploads,
)
from mockserver.signing import Signer
from mockserver.storage import EmbeddedStore, ObjectStore, StoredObject
from mockserver.units import UnitChecksum, unit_checksum
from mockserver.validation import UnitDraft, parse_unit, type_name

__all__ = ["Backend", "ContentRange", "parse_content_range"]

UPLOAD_TTL = timedelta(days=1)
DOWNLOAD_TTL_SECONDS = 3600
COPY_BLOCK = 1 << 20
_RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_MAX_RANGE_VALUE = 2**63 - 1


@dataclass(frozen=True)
class ContentRange:
    start: int
    end: int
    total: int


def parse_content_range(value: str | None) -> ContentRange:
    """Parse ``bytes <start>-<end>/<total>``; anything else is `Error in request headers`."""
    match = _RANGE_RE.match(value or "")
    if not match:
        raise bad_request("Error in request headers")
    start, end, total = (int(g) for g in match.groups())
    if max(start, end, total) > _MAX_RANGE_VALUE or start > end:
        raise bad_request("Error in request headers")
    return ContentRange(start, end, total)


def _category(specs: Sequence[FileSpec]) -> str:
    """A collection's category when the fixtures give none: its primary spec's file type."""
    primary = next((s for s in specs if s.is_primary), specs[0] if specs else None)
    return primary.file_type if primary is not None else "data"


class Backend:
    """All state of one fake Synapse backend (thread-safe; see module docstring)."""

    def __init__(
        self,
        fixtures: dict[str, Any] | None = None,
        *,
        storage: str | Path | None = None,
        clock: Clock | None = None,
        seed: int = 0,
        max_upload_bytes: int | None = None,
        object_store: ObjectStore | None = None,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> None:
        self._lock = threading.RLock()
        self._extra_tokens: list[tuple[str, str]] = []
        self.clock: Clock = clock or utc_now
        self.seed = seed
        self.max_upload_bytes = max_upload_bytes
        self._fixtures = fixtures if fixtures is not None else default_fixtures()
        self._owns_storage = storage is None
        self.storage = Path(storage or tempfile.mkdtemp(prefix="synapse-mock-")).resolve()
        self.signer = Signer(hashlib.sha256(f"synapse-mock-signing-{seed}".encode()).digest())
        self._hash_pool: ThreadPoolExecutor | None = None
        # The object storage (presigned S3 URLs; see mockserver.storage): by default an
        # embedded store in the "s3" sub-folder, served by the fake on its own origin. Reset
        # and closed with the backend.
        self.object_store: ObjectStore = object_store or EmbeddedStore(
            self.storage / "s3",
            clock=lambda: self.clock(),
            secret=hashlib.sha256(f"synapse-mock-s3-{seed}".encode()).digest(),
        )
        self.presigned = PresignedUploads(
            self, multipart_threshold=multipart_threshold, part_size=part_size
        )
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def lock(self) -> threading.RLock:
        """The state's lock (re-entrant), for components that keep state beside it."""
        return self._lock

    @property
    def spool_dir(self) -> Path:
        """Where transports spool multipart parts before a handler takes them."""
        return self.storage / "tmp"

    def reset(self) -> None:
        """Forget everything, delete stored content and reload the fixtures."""
        with self._lock:
            for sub in ("files", "uploads", "tmp"):
                shutil.rmtree(self.storage / sub, ignore_errors=True)
                (self.storage / sub).mkdir(parents=True, exist_ok=True)
            self.tenants: dict[str, Tenant] = {}
            self.tokens: dict[str, list[str]] = {}
            self.collections: dict[int, DataCollection] = {}
            self.projects: dict[int, Project] = {}
            self.data_files: dict[int, DataFile] = {}
            self._first_file: dict[tuple[str, str], DataFile] = {}
            self.uploads: dict[str, ChunkedUpload] = {}
            self.units: dict[int, DataUnit] = {}
            self.tasks: dict[int, Task] = {}
            self._next_id: Counter[str] = Counter()
            self._upload_counter = 0
            self.checksum_counts: Counter[str] = Counter()
            self.bytes_received = 0
            self.puts_cut_short = 0  # storage PUTs whose client left mid-body (discarded)
            self._units_by_checksum: dict[UnitChecksum, DataUnit] = {}
            self.groups: dict[tuple[str, int, tuple[str, ...]], int] = {}
            self._tokens_issued = 0
            self.presigned.reset()
            self.object_store.reset()
            self.load_fixtures(self._fixtures)
            for token, tenant in self._extra_tokens:
                self.add_token(token, tenant)

    def close(self) -> None:
        """Stop the hashing workers; delete the storage folder if this backend created it."""
        with self._lock:
            pool, self._hash_pool = self._hash_pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self.object_store.close()
        if self._owns_storage:
            shutil.rmtree(self.storage, ignore_errors=True)

    def _hasher(self) -> SegmentHasher:
        """A hasher for a new upload; the worker pool starts with the first one."""
        if self._hash_pool is None:
            self._hash_pool = hashing_pool()
        return SegmentHasher(self._hash_pool)

    def _new_id(self, kind: str) -> int:
        self._next_id[kind] += 1
        return self._next_id[kind]

    def _bump_id(self, kind: str, used: int) -> None:
        self._next_id[kind] = max(self._next_id[kind], used)

    def new_token(self) -> str:
        """A fresh 32-hex token, reproducible for a seed (storage keys, request ids)."""
        with self._lock:
            self._tokens_issued += 1
            digest = hashlib.sha256(f"token:{self.seed}:{self._tokens_issued}".encode())
            return digest.hexdigest()[:32]

    def _new_upload_id(self) -> str:
        self._upload_counter += 1
        digest = hashlib.sha256(f"{self.seed}:{self._upload_counter}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    # -- fixtures ----------------------------------------------------------------------------
    def load_fixtures(self, data: dict[str, Any]) -> None:
        """Add tenants, tokens, collections and projects (shape: see `mockserver.fixtures`)."""
        with self._lock:
            now = self.clock()
            for tenant in data.get("tenants", []):
                code = tenant["code"]
                self.tenants[code] = Tenant(code=code, name=tenant.get("name", code))
                for token in tenant.get("tokens", []):
                    self.add_token(token, code)
            for raw in data.get("data_collections", []):
                cid = int(raw.get("id") or self._new_id("collection"))
                self._bump_id("collection", cid)
                specs = []
                for index, spec in enumerate(raw.get("file_specifications", []), start=1):
                    sid = int(spec.get("id") or self._new_id("spec"))
                    self._bump_id("spec", sid)
                    specs.append(
                        FileSpec(
                            id=sid,
                            name=spec["name"],
                            file_type=spec.get("file_type", "data"),
                            is_required=bool(spec.get("is_required", False)),
                            is_primary=bool(spec.get("is_primary", False)),
                            extensions=spec.get("extensions"),
                            description=spec.get("description", ""),
                            index=int(spec.get("index", index)),
                            function_type=spec.get("function_type", "main"),
                        )
                    )
                caution = raw.get("caution", "")
                if caution not in CAUTIONS:
                    raise ValueError(
                        f"data collection {cid}: caution must be one of {list(CAUTIONS)},"
                        f" not {caution!r}"
                    )
                self.collections[cid] = DataCollection(
                    id=cid,
                    tenant=raw["tenant"],
                    name=raw["name"],
                    description=raw.get("description", ""),
                    project=raw.get("project"),
                    created_at=now,
                    specs=specs,
                    category=raw.get("category") or _category(specs),
                    caution=caution,
                )
            for raw in data.get("projects", []):
                pid = int(raw.get("id") or self._new_id("project"))
                self._bump_id("project", pid)
                self.projects[pid] = Project(
                    id=pid,
                    tenant=raw["tenant"],
                    title=raw.get("title", f"Project {pid}"),
                    data_collection=int(raw["data_collection"]),
                )

    def add_token(self, token: str, tenant: str, *, keep: bool = False) -> None:
        """Let ``token`` act for ``tenant`` (created if unknown); ``keep`` survives reset()."""
        with self._lock:
            if keep and (token, tenant) not in self._extra_tokens:
                self._extra_tokens.append((token, tenant))
            self.tenants.setdefault(tenant, Tenant(code=tenant, name=tenant))
            owners = self.tokens.setdefault(token, [])
            if tenant not in owners:
                owners.append(tenant)

    # -- auth --------------------------------------------------------------------------------
    def authenticate(self, token: str, tenant_code: str | None) -> str:
        """Resolve a token (and optional tenant code) to the acting tenant."""
        with self._lock:
            owners = self.tokens.get(token)
            if not owners:
                raise ApiError(401, {"detail": "Invalid token."})
            if tenant_code is None:
                if len(owners) != 1:
                    raise forbidden()
                return owners[0]
            if tenant_code not in owners:
                raise forbidden()
            return tenant_code

    # -- collections -------------------------------------------------------------------------
    def list_collections(self, tenant: str) -> list[DataCollection]:
        """The tenant's data collections, by id."""
        with self._lock:
            return [
                c
                for c in sorted(self.collections.values(), key=lambda c: c.id)
                if c.tenant == tenant
            ]

    def get_collection(self, tenant: str, collection_id: int) -> DataCollection:
        """The tenant's data collection ``collection_id``; 404 if missing or another tenant's."""
        with self._lock:
            found = self.collections.get(collection_id)
            if found is None or found.tenant != tenant:
                raise not_found()
            return found

    # -- data files --------------------------------------------------------------------------
    def _add_data_file(
        self, tenant: str, checksum: str, size: int, segments: Sequence[Path], filename: str
    ) -> DataFile:
        record = DataFile(
            id=self._new_id("data_file"),
            tenant=tenant,
            checksum=checksum,
            size=size,
            segments=tuple(segments),
            filename=filename,
            created_at=self.clock(),
        )
        self.data_files[record.id] = record
        self._first_file.setdefault((tenant, checksum), record)
        self.checksum_counts[checksum] += 1
        return record

    def create_data_file(self, tenant: str, part: UploadedFile | None, filename: str) -> DataFile:
        """A direct upload: take ownership of the spooled part."""
        if part is None:
            raise field_error("file", "No file was submitted.")
        if part.size == 0:
            raise field_error("file", "The submitted file is empty.")
        with self._lock:
            target = self.storage / "files" / f"direct-{self._next_id['data_file'] + 1}.bin"
            part.take().replace(target)
            self.bytes_received += part.size
            return self._add_data_file(tenant, part.md5, part.size, [target], filename)

    def create_data_file_from_upload(self, tenant: str, upload_id: str) -> DataFile:
        """Create the data file of a completed chunked upload (400 if missing or incomplete)."""
        with self._lock:
            upload = self.uploads.get(upload_id)
            if upload is None or upload.tenant != tenant:
                raise field_error("chunked_upload", f"Chunked upload {upload_id!r} does not exist.")
            if upload.status != STATUS_COMPLETE or upload.checksum is None:
                raise field_error(
                    "chunked_upload", f"Chunked upload {upload_id!r} is not complete."
                )
            return self._add_data_file(
                tenant, upload.checksum, upload.offset, upload.segments, upload.filename
            )

    def file_for_checksum(self, tenant: str, checksum: str) -> DataFile | None:
        """The tenant's first data file with this checksum, or None."""
        with self._lock:
            return self._first_file.get((tenant, checksum))

    def add_stored_file(
        self,
        tenant: str,
        checksum: str,
        stored: StoredObject,
        filename: str,
        object_key: str,
        collection: int | None,
    ) -> DataFile:
        """A data file made from an object in the store (presigned upload)."""
        with self._lock:
            record = self._add_data_file(
                tenant, checksum, stored.size, stored.segments or (), filename
            )
            record.object_key = object_key
            if collection is not None:
                record.collections.add(collection)
            self.bytes_received += stored.size
            return record

    def existing_checksums(self, tenant: str, checksums: Iterable[str]) -> list[str]:
        """The ones of ``checksums`` the tenant's data files have, in order, without repeats."""
        with self._lock:
            seen: set[str] = set()
            result = []
            for checksum in checksums:
                if (tenant, checksum) in self._first_file and checksum not in seen:
                    seen.add(checksum)
                    result.append(checksum)
            return result

    def data_file(self, data_file_id: int) -> DataFile | None:
        """The data file ``data_file_id``, of any tenant, or None."""
        with self._lock:
            return self.data_files.get(data_file_id)

    # -- chunked uploads ---------------------------------------------------------------------
    def _visible_upload(self, tenant: str, upload_id: str) -> ChunkedUpload:
        upload = self.uploads.get(upload_id)
        if upload is None or upload.tenant != tenant:
            raise not_found()
        return upload

    def _check_writable(self, upload: ChunkedUpload) -> None:
        if upload.status == STATUS_COMPLETE:
            raise bad_request('Upload has already been marked as "complete"')
        if self.clock() > upload.created_at + UPLOAD_TTL:
            raise ApiError(410, {"detail": "Upload has expired"})

    def get_upload(self, tenant: str, upload_id: str) -> ChunkedUpload:
        """The tenant's chunked upload ``upload_id``; 404 if missing or another tenant's."""
        with self._lock:
            return self._visible_upload(tenant, upload_id)

    def put_chunk(
        self,
        tenant: str,
        upload_id: str | None,
        part: UploadedFile | None,
        content_range: str | None,
        filename: str | None,
    ) -> ChunkedUpload:
        """Create an upload with its first chunk (``upload_id=None``) or append a chunk."""
        if part is None:
            raise bad_request("No chunk file was submitted")
        rng = parse_content_range(content_range)
        if self.max_upload_bytes is not None and rng.total > self.max_upload_bytes:
            raise bad_request(f"Size of file exceeds the limit ({self.max_upload_bytes} bytes)")
        if rng.end >= rng.total:
            raise bad_request(f"End of chunk exceeds reported total ({rng.total} bytes)")
        size = rng.end - rng.start + 1
        if part.size != size:
            raise bad_request(
                f"File size doesn't match headers: file size is {part.size} but {size} reported"
            )
        with self._lock:
            if upload_id is None:
                return self._create_upload(tenant, part, rng, filename)
            upload = self._visible_upload(tenant, upload_id)
            self._check_writable(upload)
            if upload.offset != rng.start:
                raise bad_request(
                    "Offsets do not match",
                    offset=upload.offset,
                    expected_offset=upload.offset,
                    provided_offset=rng.start,
                )
            # The spooled chunk becomes the next segment: stored once, never copied, and
            # hashed in the background while the client sends the next one.
            segment = upload.segments[0].with_name(
                f"{upload.segments[0].stem}-{len(upload.segments)}.bin"
            )
            part.take().replace(segment)
            upload.segments.append(segment)
            upload.hasher.add(segment)
            upload.offset += size
            self.bytes_received += size
            return upload

    def _create_upload(
        self, tenant: str, part: UploadedFile, rng: ContentRange, filename: str | None
    ) -> ChunkedUpload:
        if not filename:
            raise field_error("filename", "This field is required.")
        if rng.start != 0:
            raise bad_request(
                "Offsets do not match", offset=0, expected_offset=0, provided_offset=rng.start
            )
        upload_id = self._new_upload_id()
        path = self.storage / "uploads" / f"upload-{self._upload_counter}.bin"
        part.take().replace(path)
        hasher = self._hasher()
        hasher.add(path)
        upload = ChunkedUpload(
            id=upload_id,
            tenant=tenant,
            filename=filename,
            segments=[path],
            created_at=self.clock(),
            hasher=hasher,
            offset=part.size,
        )
        self.uploads[upload_id] = upload
        self.bytes_received += part.size
        return upload

    def complete_upload(self, tenant: str, upload_id: str, md5: Any) -> ChunkedUpload:
        """Finish a chunked upload: 400 unless ``md5`` matches the bytes received."""
        with self._lock:
            upload = self._visible_upload(tenant, upload_id)
            self._check_writable(upload)
            if not isinstance(md5, str) or not md5:
                raise bad_request("Checksum of type 'md5' is required")
            if md5 != upload.hasher.hexdigest():
                raise bad_request("checksum does not match")
            upload.status = STATUS_COMPLETE
            upload.completed_at = self.clock()
            upload.checksum = md5
            return upload

    # -- data units --------------------------------------------------------------------------
    def _check_unit(self, tenant: str, draft: UnitDraft) -> dict[str, list[str]]:
        collection = self.collections.get(draft.data_collection)
        if collection is None or collection.tenant != tenant:
            return {
                "data_collection": [
                    f'Invalid pk "{draft.data_collection}" - object does not exist.'
                ]
            }
        messages = []
        names = [s.name for s in collection.specs]
        for key in draft.files:
            if key not in names:
                messages.append(
                    f"Unknown file specification {key!r} for data collection {collection.id}"
                    f" (expected one of: {', '.join(names)})."
                )
        for spec in collection.specs:
            if spec.is_required and spec.name not in draft.files:
                messages.append(f"Missing required file specification {spec.name!r}.")
        for ref in draft.files.values():
            if (tenant, ref.checksum) not in self._first_file:
                messages.append(f"Unknown checksum: {ref.checksum}")
        return {"files": messages} if messages else {}

    def _file_for_checksum(self, tenant: str, checksum: str) -> DataFile:
        # Indexed (ids only grow, so the first stored is the lowest id): O(1), not O(files).
        return self._first_file[(tenant, checksum)]

    def create_units(self, tenant: str, raw_items: list[Any], as_array: bool) -> list[DataUnit]:
        """Validate every item first, then create all of them (all-or-nothing)."""
        with self._lock:
            drafts: list[UnitDraft] = []
            errors: list[dict[str, list[str]]] = []
            for raw in raw_items:
                parsed = parse_unit(raw)
                if isinstance(parsed, dict):
                    errors.append(parsed)
                    continue
                problems = self._check_unit(tenant, parsed)
                errors.append(problems)
                drafts.append(parsed)
            if any(errors):
                raise ApiError(400, errors if as_array else errors[0])
            return [self._insert_unit(tenant, draft) for draft in drafts]

    def _draft_checksum(self, tenant: str, draft: UnitDraft) -> str:
        return unit_checksum({name: ref.checksum for name, ref in draft.files.items()})

    def _insert_unit(self, tenant: str, draft: UnitDraft) -> DataUnit:
        """(under the lock, draft checked) Store a new unit and index it by its checksum."""
        files = []
        for name, ref in draft.files.items():
            record = self._file_for_checksum(tenant, ref.checksum)
            record.collections.add(draft.data_collection)
            files.append(UnitFile(name, record.id, ref.path))
        unit = DataUnit(
            id=self._new_id("unit"),
            tenant=tenant,
            data_collection=draft.data_collection,
            files=files,
            meta=draft.meta,
            groups=draft.groups,
            created_at=self.clock(),
            checksum=self._draft_checksum(tenant, draft),
        )
        self.units[unit.id] = unit
        key = (tenant, unit.data_collection, unit.checksum)
        self._units_by_checksum.setdefault(key, unit)
        if unit.groups:
            self.group_id(tenant, unit.data_collection, unit.groups)
        return unit

    def group_id(self, tenant: str, collection: int, path: Sequence[str]) -> int:
        """The id of the leaf group of ``path`` (parent first), created on first use."""
        with self._lock:
            key = (tenant, collection, tuple(path))
            if key not in self.groups:
                self.groups[key] = self._new_id("group")
            return self.groups[key]

    def bulk_create_units(
        self, tenant: str, collection_id: int, raw_units: list[Any], *, dry_run: bool = False
    ) -> list[tuple[int, str, bool]]:
        """v2 bulk-create: (unit id, unit checksum, created) per item, in order.

        All-or-nothing: every item is checked before anything is stored (InvalidRequest with
        ``units[i].field`` details). Idempotent: a unit with the same files under the same
        specs in the collection is returned with ``created=False`` (also within one request).
        ``dry_run`` checks and answers the same without storing (ids are the ones a real call
        would have taken).
        """
        details: list[tuple[str, str]] = []
        drafts: list[UnitDraft] = []
        with self._lock:
            collection = self.collections.get(collection_id)
            if collection is None or collection.tenant != tenant:
                raise InvalidRequest(
                    [("data_collection", f'Invalid pk "{collection_id}" - object does not exist.')]
                )
            for index, raw in enumerate(raw_units):
                where = f"units[{index}]"
                if not isinstance(raw, dict):
                    details.append((where, f"Expected an object, got {type_name(raw)}."))
                    continue
                parsed = parse_unit({**raw, "data_collection": collection_id})
                if isinstance(parsed, dict):
                    details += [(f"{where}.{f}", m) for f, ms in parsed.items() for m in ms]
                    continue
                problems = self._check_unit(tenant, parsed)
                details += [(f"{where}.{f}", m) for f, ms in problems.items() for m in ms]
                for name in parsed.files:
                    spec = collection.spec(name)
                    if spec is not None and spec.is_sequential:
                        details.append(
                            (f"{where}.files", f"{name!r} is a sequential specification.")
                        )
                if any(len(group) > 255 for group in parsed.groups):
                    details.append((f"{where}.groups", "Group names have 1 to 255 characters."))
                drafts.append(parsed)
            if details:
                raise InvalidRequest(details, "The units were not created.")
            results: list[tuple[int, str, bool]] = []
            planned: dict[str, int] = {}
            next_id = self._next_id["unit"]
            for draft in drafts:
                checksum = self._draft_checksum(tenant, draft)
                existing = self._units_by_checksum.get((tenant, collection_id, checksum))
                if existing is not None:
                    results.append((existing.id, checksum, False))
                elif checksum in planned:
                    results.append((planned[checksum], checksum, False))
                elif dry_run:
                    next_id += 1
                    planned[checksum] = next_id
                    results.append((next_id, checksum, True))
                else:
                    unit = self._insert_unit(tenant, draft)
                    results.append((unit.id, checksum, True))
            return results

    def list_units(self, tenant: str, collection_id: int | None) -> list[DataUnit]:
        """The tenant's data units by id, of one collection when ``collection_id`` is given."""
        with self._lock:
            return [
                u
                for u in sorted(self.units.values(), key=lambda u: u.id)
                if u.tenant == tenant
                and (collection_id is None or u.data_collection == collection_id)
            ]

    def get_unit(self, tenant: str, unit_id: int) -> DataUnit:
        """The tenant's data unit ``unit_id``; 404 if missing or another tenant's."""
        with self._lock:
            unit = self.units.get(unit_id)
            if unit is None or unit.tenant != tenant:
                raise not_found()
            return unit

    # -- tasks -------------------------------------------------------------------------------
    def create_tasks(self, tenant: str, project_id: int, unit_ids: list[int]) -> list[Task]:
        """One task per (project, unit); existing ones are returned, not duplicated."""
        with self._lock:
            project = self.projects.get(project_id)
            if project is None or project.tenant != tenant:
                raise not_found()
            bad = []
            for unit_id in unit_ids:
                unit = self.units.get(unit_id)
                if unit is None or unit.tenant != tenant:
                    bad.append(f"Data unit {unit_id} does not exist.")
                elif unit.data_collection != project.data_collection:
                    bad.append(
                        f"Data unit {unit_id} is not in data collection "
                        f"{project.data_collection} of project {project_id}."
                    )
            if bad:
                raise field_error("data", *bad)
            existing = {(t.project, t.data_unit): t for t in self.tasks.values()}
            result = []
            for unit_id in unit_ids:
                task = existing.get((project_id, unit_id))
                if task is None:
                    task = Task(
                        id=self._new_id("task"),
                        tenant=tenant,
                        project=project_id,
                        data_unit=unit_id,
                        created_at=self.clock(),
                    )
                    self.tasks[task.id] = task
                    existing[(project_id, unit_id)] = task
                result.append(task)
            return result

    def bulk_create_tasks(
        self, tenant: str, project_id: int, unit_ids: list[int], *, dry_run: bool = False
    ) -> tuple[int, int]:
        """v2 tasks bulk-create: (created, skipped); units with a task in the project are
        skipped; an unknown project or unit, or a unit of another collection, fails the whole
        request (InvalidRequest)."""
        with self._lock:
            project = self.projects.get(project_id)
            if project is None or project.tenant != tenant:
                raise InvalidRequest(
                    [("project", f'Invalid pk "{project_id}" - object does not exist.')]
                )
            details = []
            for index, unit_id in enumerate(unit_ids):
                unit = self.units.get(unit_id)
                if unit is None or unit.tenant != tenant:
                    details.append(
                        (f"data_unit_ids[{index}]", f"Data unit {unit_id} does not exist.")
                    )
                elif unit.data_collection != project.data_collection:
                    details.append(
                        (
                            f"data_unit_ids[{index}]",
                            f"Data unit {unit_id} is not in data collection "
                            f"{project.data_collection} of project {project_id}.",
                        )
                    )
            if details:
                raise InvalidRequest(details, "No task was created.")
            have = {t.data_unit for t in self.tasks.values() if t.project == project_id}
            created = skipped = 0
            for unit_id in dict.fromkeys(unit_ids):
                if unit_id in have:
                    skipped += 1
                    continue
                created += 1
                have.add(unit_id)
                if not dry_run:
                    task = Task(self._new_id("task"), tenant, project_id, unit_id, self.clock())
                    self.tasks[task.id] = task
            return created, skipped

    # -- presigned downloads -----------------------------------------------------------------
    def download_expiry(self) -> int:
        """The expiry (Unix time) of a presigned download URL issued now."""
        return int(self.clock().timestamp()) + DOWNLOAD_TTL_SECONDS

    def check_download(
        self, data_file_id: int, expires: str | None, signature: str | None
    ) -> DataFile:
        """Verify a presigned URL; 403 on a bad or expired signature, 404 if gone."""
        try:
            expires_at = int(expires or "")
        except ValueError:
            raise forbidden("Request has expired or is not signed.") from None
        if not signature or not self.signer.verify(data_file_id, expires_at, signature):
            raise forbidden("Signature does not match.")
        if self.clock().timestamp() > expires_at:
            raise forbidden("Request has expired.")
        with self._lock:
            record = self.data_files.get(data_file_id)
            if record is None:
                raise not_found()
            return record

    # -- introspection -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """A JSON-friendly copy of the whole state (no tokens), taken under the lock."""
        with self._lock:
            return {
                "counts": self.counts(),
                "checksum_counts": dict(self.checksum_counts),
                "data_collections": [
                    {
                        "id": c.id,
                        "tenant": c.tenant,
                        "name": c.name,
                        "file_specifications": [s.name for s in c.specs],
                    }
                    for c in self.collections.values()
                ],
                "data_files": [
                    {
                        "id": f.id,
                        "tenant": f.tenant,
                        "checksum": f.checksum,
                        "size": f.size,
                        "filename": f.filename,
                    }
                    for f in self.data_files.values()
                ],
                "chunked_uploads": [
                    {
                        "id": u.id,
                        "tenant": u.tenant,
                        "filename": u.filename,
                        "offset": u.offset,
                        "status": u.status,
                        "checksum": u.checksum,
                        "created_at": u.created_at.isoformat(),
                        "completed_at": u.completed_at.isoformat() if u.completed_at else None,
                    }
                    for u in self.uploads.values()
                ],
                "data_units": [
                    {
                        "id": u.id,
                        "tenant": u.tenant,
                        "data_collection": u.data_collection,
                        "files": {f.spec_name: f.data_file_id for f in u.files},
                        "meta": copy.deepcopy(u.meta),
                        "groups": list(u.groups),
                        "checksum": u.checksum,
                    }
                    for u in self.units.values()
                ],
                "presigned_uploads": [
                    {
                        "file_key": u.file_key,
                        "tenant": u.tenant,
                        "data_collection": u.collection,
                        "filename": u.filename,
                        "size": u.size,
                        "multipart": u.upload_id is not None,
                        "data_file_id": u.data_file_id,
                    }
                    for u in self.presigned.uploads.values()
                ],
                "tasks": [
                    {"id": t.id, "tenant": t.tenant, "project": t.project, "data_unit": t.data_unit}
                    for t in self.tasks.values()
                ],
            }

    def note_put_cut_short(self) -> None:
        """Count a storage PUT whose body was cut short (its spool already deleted)."""
        with self._lock:
            self.puts_cut_short += 1

    def counts(self) -> dict[str, int]:
        """How many objects of each kind the backend holds (collections, files, units, ...)."""
        with self._lock:
            return {
                "data_collections": len(self.collections),
                "projects": len(self.projects),
                "data_files": len(self.data_files),
                "chunked_uploads": len(self.uploads),
                "presigned_uploads": len(self.presigned.uploads),
                "data_units": len(self.units),
                "tasks": len(self.tasks),
                "bytes_received": self.bytes_received,
            }

    def now_iso(self, moment: datetime | None = None) -> str:
        """``moment`` (default: the backend clock's now) as an ISO 8601 string."""
        return (moment or self.clock()).isoformat()
