"""The presigned-upload methods of the typed clients (v1 and v2), written once as flows.

:class:`ClientApiPresigned` is a base of :class:`~synapse_ext.client._api.ClientApi` (as
:class:`~synapse_ext.client._api_v2.ClientApiV2` is of it): one file to PUT straight to
object storage, one file through v2 upload-urls + finalize, many files through the v1
presigned pair. The storage rules live in :mod:`synapse_ext.upload._presigned`. No I/O here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from synapse_client.models import (
    ConfirmUploadFile,
    ConfirmUploadResponse,
    DataFileV2List,
    FinalizeUploadResult,
    PresignedUploadFile,
)

from .._flow import Flow, Parallel, batched
from .._wire import operations as ops
from ..errors import (
    ClientError,
    FinalizeRejectedError,
    PresignedUrlExpiredError,
)
from ..policy import Uniform
from ..progress import ProgressReporter
from ..sources import FileRef, SourcePath
from ..upload._files import check_file
from ..upload._finalize import Found, finalize_recovering
from ..upload._presigned import (
    FinalizedFile,
    PutTarget,
    StoredFile,
    finalize_entry,
    presigned_upload_flow,
)
from ..upload._renew import renewing
from ._api_v2 import ClientApiV2, UploadFileSpec
from ._options import ProgressArg
from ._worlds import operation

__all__ = ["ClientApiPresigned", "PathLike"]

PathLike = str | os.PathLike[str] | SourcePath


def _announced(name: str, size: int, content_type: str | None) -> UploadFileSpec:
    return (name, size) if content_type is None else (name, size, content_type)


class ClientApiPresigned(ClientApiV2):
    """The flows of the presigned-upload methods (a base of ``ClientApi``)."""

    if TYPE_CHECKING:
        _uniform: Uniform

        def _reporter(self, on_progress: ProgressArg) -> ProgressReporter: ...

    @operation
    def upload_to_presigned(
        self,
        upload: PresignedUploadFile,
        path: PathLike,
        *,
        md5: str | None = None,
        part_concurrency: int = 4,
        content_type: str | None = None,
        on_progress: ProgressArg = None,
    ) -> Flow[StoredFile]:
        """PUT ``path`` straight to object storage as ``upload`` (an entry of a v1 or v2
        presigned-upload answer) says: one PUT, or its parts ``part_concurrency`` at a time.

        Bodies stream from disk; each ETag is checked against the MD5 of what was sent;
        PUTs are retried on no response, 5xx, 408/425/429 and proxy 4xx (no storage ``Code``).
        ``md5`` (the file's, if known) saves a read for multipart uploads. Returns what
        finalize needs; raises ``PresignedUrlExpiredError`` when the URLs have expired.
        """
        p, size = check_file(path)
        return self._put_presigned(
            upload, p, size, md5, content_type, part_concurrency, on_progress
        )

    def _put_presigned(
        self,
        upload: PresignedUploadFile,
        p: FileRef,
        size: int,
        md5: str | None,
        content_type: str | None,
        part_concurrency: int,
        on_progress: ProgressArg,
    ) -> Flow[StoredFile]:
        with self._reporter(on_progress).task(total=size, desc=p.name, unit="B") as task:
            target = PutTarget(p, size, task, self.upload_timeout, content_type)
            flow = presigned_upload_flow(
                upload,
                target,
                self.policy,
                self._uniform,
                md5=md5,
                part_concurrency=part_concurrency,
            )
            return (yield from flow)

    @operation
    def upload_file_presigned(
        self,
        collection_id: int,
        path: PathLike,
        *,
        md5: str | None = None,
        content_type: str | None = None,
        part_concurrency: int = 4,
        expiration: int = 3600,
        on_progress: ProgressArg = None,
    ) -> Flow[FinalizedFile]:
        """Upload one file the v2 way: presigned URLs, bytes straight to storage (parts in
        parallel), then finalize; the data file made (or reused) for it.

        Expired URLs are asked for again (``URL_RENEWALS`` times at most: once). After an
        unclear finalize answer (lost, a 5xx, a 429) the server is asked for the checksum a
        few times, and finalize is sent again only if the file never appeared (the ingestion's
        rule: finalize reuses a known checksum's data file, so a resend cannot make two).
        ``FinalizeRejectedError`` says why the server refused the file.
        """
        p, size = check_file(path)
        # Without ``md5`` the engine hashes the file while (single PUT) or beside (multipart)
        # sending it: finalize and the recovery of a lost answer use ``stored.checksum``.
        stored = yield from self._store_presigned(
            collection_id, p, size, md5, content_type, part_concurrency, expiration, on_progress
        )
        found: dict[str, DataFileV2List] = {}  # checksum → the data file the polls found

        def send(files: list[StoredFile]) -> Flow[dict[str, FinalizeUploadResult]]:
            entries = [finalize_entry(s) for s in files]
            answer = yield from ClientApiV2.finalize_upload.flow(self, collection_id, entries)
            return {row.file_key: row for row in answer.results}

        def held(checksums: list[str]) -> Flow[set[str]]:
            for checksum in checksums:
                data_file = yield from ClientApiV2.find_data_file.flow(
                    self, checksum, collection_id=collection_id
                )
                if data_file is not None:
                    found[checksum] = data_file
            return set(found)

        outcome = yield from finalize_recovering([stored], send, held, self.policy, self._uniform)
        row = outcome.get(stored.file_key)
        if row is Found.HELD:
            data_file_id = found[stored.checksum].id
            return FinalizedFile(data_file_id, stored.checksum, size, stored.file_key, None)
        if isinstance(row, ClientError):
            raise row
        if row is None or not row.success or row.data_file_id is None:
            reason = "not in the finalize answer" if row is None else row.error
            raise FinalizeRejectedError(stored.file_key, reason or "not finalized")
        return FinalizedFile(row.data_file_id, stored.checksum, size, stored.file_key, row.created)

    @operation
    def upload_files_presigned_v1(
        self,
        paths: Sequence[PathLike],
        *,
        max_workers: int = 10,
        batch_size: int = 200,
        part_concurrency: int = 4,
        on_progress: ProgressArg = None,
    ) -> Flow[ConfirmUploadResponse]:
        """Upload many files as the tenant's data files through v1 presigned uploads:
        URLs for ``batch_size`` files at a time, ``max_workers`` PUTs in flight, one confirm
        per batch; the confirm answer of every batch merged (``created_count`` counts new
        and matched files). Every path is checked before anything is sent; a file that fails
        is a failed row (its checksum empty when it never reached storage), never a lost
        batch. A confirm whose answer is unclear (lost, a 5xx, a 429) is never resent: the
        checksums are asked for (``verify_checksums``), and files found are rows without an id.
        """
        if not 1 <= batch_size <= 1000 or max_workers < 1:
            raise ValueError("batch_size must be 1-1000 and max_workers >= 1")
        files = [check_file(path) for path in paths]
        for checked, _ in files:
            if len(checked.name) > 255:
                raise ValueError(f"{checked}: the filename must be 1-255 characters")
        rows: list[dict[str, object]] = []
        with self._reporter(on_progress).task(total=len(files), desc="files", unit="file") as bar:
            for batch in batched(files, batch_size):
                announced = [(p.name, size) for p, size in batch]
                answer = yield from ClientApiV2.request_presigned_uploads_v1.flow(self, announced)
                puts = [
                    self._put_one(upload, p, size, part_concurrency, bar.advance)
                    for (p, size), upload in zip(batch, answer.files, strict=True)
                ]
                outcomes = yield Parallel(puts, max_workers)
                stored = [o for o in outcomes if isinstance(o, StoredFile)]
                rows += [
                    {
                        "file_key": u.file_key,
                        "checksum": "",
                        "success": False,
                        "data_file_id": None,
                        "error": str(o),
                    }
                    for u, o in zip(answer.files, outcomes, strict=True)
                    if not isinstance(o, StoredFile)
                ]
                if stored:
                    rows += yield from self._confirm_v1(stored)
        created = sum(1 for row in rows if row["success"])
        return ConfirmUploadResponse.from_dict(
            {"results": rows, "created_count": created, "failed_count": len(rows) - created}
        )

    def _put_one(
        self,
        upload: PresignedUploadFile,
        p: FileRef,
        size: int,
        part_concurrency: int,
        done: Callable[[int], None],
    ) -> Flow[StoredFile | ClientError | OSError]:
        try:
            stored = yield from self._put_presigned(
                upload, p, size, None, None, part_concurrency, None
            )
        except (ClientError, OSError) as exc:
            return exc
        done(1)
        return stored

    def _confirm_v1(self, stored: list[StoredFile]) -> Flow[list[dict[str, object]]]:
        """Confirm ``stored``: one row each. After an unclear answer the checksums are polled
        (``verify_checksums``) and a file found is a row without an id; a v1 confirm is never
        resent (``docs/decisions.md``: its reuse of a known checksum is not documented)."""
        outcome = yield from finalize_recovering(
            stored, self._send_confirm_v1, self._held_v1, self.policy, self._uniform, resend=False
        )
        rows: list[dict[str, object]] = []
        for s in stored:
            verdict = outcome[s.file_key]
            if isinstance(verdict, dict):
                rows.append(verdict)
                continue
            rows.append(
                {
                    "file_key": s.file_key,
                    "checksum": s.checksum,
                    "success": verdict is Found.HELD,
                    "data_file_id": None,
                    "error": str(verdict) if isinstance(verdict, ClientError) else None,
                }
            )
        return rows

    def _send_confirm_v1(self, stored: list[StoredFile]) -> Flow[dict[str, dict[str, object]]]:
        entries = [ConfirmUploadFile.from_dict(finalize_entry(s).to_dict()) for s in stored]
        answer = yield from ClientApiV2.confirm_presigned_uploads_v1.flow(self, entries)
        rows = {row.file_key: row.to_dict() for row in answer.results}
        for s in stored:
            rows.setdefault(
                s.file_key,
                {
                    "file_key": s.file_key,
                    "checksum": s.checksum,
                    "success": False,
                    "data_file_id": None,
                    "error": "not in the confirm answer",
                },
            )
        return rows

    def _held_v1(self, checksums: list[str]) -> Flow[set[str]]:
        return set((yield from self._retrying(ops.verify_checksums(checksums))))  # <= 1000

    def _store_presigned(
        self,
        collection_id: int,
        p: FileRef,
        size: int,
        md5: str | None,
        content_type: str | None,
        part_concurrency: int,
        expiration: int,
        on_progress: ProgressArg,
    ) -> Flow[StoredFile]:
        def store(files: list[FileRef]) -> Flow[list[StoredFile | PresignedUrlExpiredError]]:
            urls = yield from ClientApiV2.request_upload_urls.flow(
                self, collection_id, [_announced(p.name, size, content_type)], expiration=expiration
            )
            (upload,) = urls.files
            try:
                put = self._put_presigned(
                    upload, p, size, md5, content_type, part_concurrency, on_progress
                )
                return [(yield from put)]
            except PresignedUrlExpiredError as expired:
                return [expired]

        (outcome,) = yield from renewing([p], store)
        if isinstance(outcome, PresignedUrlExpiredError):
            raise outcome
        return outcome
