"""Ingestion straight from an s3:// source (moto's S3 server) into the fake: one unit per group
with the right checksums, a re-run creates nothing, every read streams in blocks, and what
trusting ETags saves, counted in bytes read from the source."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import attrs
import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    OrganizedGroup,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)
from tests.ingest.conftest import FAST, assert_exact, make_dataset, server_state

from .conftest import ReadLog, upload_tree

pytestmark = pytest.mark.slow

MIB = 1 << 20
BIG = 11 * MIB  # a multipart upload on the fake below (3 parts of 5 MiB)


@pytest.fixture
def fake_mode() -> str:
    return "respx"  # one transport: the source side is what these tests are about


@pytest.fixture
def fake_options() -> dict[str, Any]:
    return {"multipart_threshold": 8 * MIB, "part_size": 5 * MIB}


@pytest.fixture
def client_options() -> dict[str, Any]:
    return {"retry": FAST}


@attrs.frozen
class Source:
    url: str
    options: dict[str, Any]
    expected: dict[str, dict[str, str]]
    sizes: dict[str, int]
    """Relative path → size of every file."""

    def groups(self, client: SynapseClient) -> list[OrganizedGroup]:
        result = organize(self.url, client.get_collection(1), source_options=self.options)
        return result.groups

    @property
    def all_bytes(self) -> int:
        return sum(self.sizes.values())


@pytest.fixture
def source(s3: Any, bucket: str, s3_endpoint: str, tmp_path: Path) -> Source:
    local = tmp_path / "data"
    expected = make_dataset(local, 12)
    big = local / "image" / "g99999.jpg"
    big.write_bytes(bytes(range(256)) * (BIG // 256))
    expected["g99999"] = {"image": hashlib.md5(big.read_bytes()).hexdigest()}
    sizes = {p.relative_to(local).as_posix(): p.stat().st_size for p in local.rglob("*.*")}
    url = upload_tree(s3, local, bucket, "ds")
    return Source(url, {"endpoint_url": s3_endpoint}, expected, sizes)


def _distinct_bytes(source: Source, groups: list[OrganizedGroup]) -> int:
    """Bytes of the distinct contents (what is uploaded once)."""
    by_md5: dict[str, int] = {}
    for group in groups:
        for spec, ref in group.files.items():
            by_md5[source.expected[group.key][spec]] = ref.size or 0
    return sum(by_md5.values())


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_ingests_from_s3_exactly_once_and_a_rerun_creates_nothing(
    fake: MockSynapse,
    client: SynapseClient,
    source: Source,
    reads: ReadLog,
    tmp_path: Path,
    api: str,
) -> None:
    journal = tmp_path / f"journal-{api}.sqlite3"
    groups = source.groups(client)
    assert len(groups) == len(source.expected)
    result = upload_data_collection(
        client, 1, groups, project_id=1, journal=journal, api=api, batch_size=5
    )
    assert result.api == api and result.success, result.failures
    assert result.units_created == len(source.expected)
    assert_exact(fake, source.expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    # Streamed: no read of a whole file at once, no read beyond the hashing block.
    assert reads.whole_file_reads == 0
    assert 0 < reads.largest <= 4 * MIB < BIG
    first = reads.total
    assert first >= source.all_bytes  # everything was hashed (no ETag trusted by default)

    again = upload_data_collection(
        client, 1, source.groups(client), project_id=1, journal=journal, api=api
    )
    assert again.success and again.units_created == 0 and again.files_uploaded == 0
    assert again.units_already_present == len(source.expected)
    assert reads.total == first  # MD5s cached by (URL, size, ETag): nothing read again
    assert_exact(fake, source.expected)


def test_trusting_etags_reads_each_byte_once(
    fake: MockSynapse,
    client: SynapseClient,
    source: Source,
    reads: ReadLog,
    tmp_path: Path,
) -> None:
    """The measurement: bytes read from the source without and with ``trust_etag``."""
    groups = source.groups(client)
    distinct = _distinct_bytes(source, groups)
    hashed = upload_data_collection(client, 1, groups, journal=None, api="v2")
    assert hashed.success and hashed.bytes_sent == distinct
    without = reads.total
    # hashing pass (every file) + one upload read of each distinct content
    assert without == source.all_bytes + distinct

    fake.reset()
    reads.total = 0
    trusted = upload_data_collection(client, 1, groups, journal=None, api="v2", trust_etag=True)
    assert trusted.success and trusted.bytes_sent == distinct
    # no hashing pass: each byte is read once, by its upload; a single PUT's ETag verifies
    # the claim, the multipart file's parts go in order and its MD5 is computed on the way
    assert reads.total == distinct
    state = server_state(fake)
    assert {f["checksum"] for f in state["data_files"]} == {
        c for files in source.expected.values() for c in files.values()
    }

    reads.total = 0
    present = upload_data_collection(client, 1, groups, journal=None, api="v2", trust_etag=True)
    assert present.success and present.files_uploaded == 0
    assert reads.total == 0  # already on the server: not one byte read


@pytest.mark.parametrize(
    ("api", "key"), [("v1", "g00000"), ("v2", "g00000"), ("v2", "g99999")], ids=str
)
def test_a_trusted_etag_that_is_not_the_md5_binds_nothing(
    fake: MockSynapse, client: SynapseClient, source: Source, api: str, key: str
) -> None:
    """``g99999`` goes multipart: its parts are verified, the whole MD5 too."""
    groups = source.groups(client)
    (victim,) = [g for g in groups if g.key == key]
    wrong = "0" * 32  # what an SSE-KMS object's ETag looks like: 32 hex digits, not its MD5
    image = victim.files["image"]
    forged = attrs.evolve(victim, files={**victim.files, "image": attrs.evolve(image, etag=wrong)})
    others = [g for g in groups if g.key != key]
    result = upload_data_collection(
        client, 1, [forged, *others], journal=None, api=api, trust_etag=True
    )
    assert [f.group for f in result.failures] == [victim.key]
    assert "ETag was trusted" in result.failures[0].message
    state = server_state(fake)
    assert wrong not in {f["checksum"] for f in state["data_files"]}
    stems = {u["meta"]["origin_file_stem"] for u in state["data_units"]}
    assert victim.key not in stems and len(stems) == len(groups) - 1


@pytest.mark.anyio
async def test_async_ingestion_streams_from_s3(
    fake: MockSynapse, aclient: AsyncSynapseClient, source: Source, reads: ReadLog
) -> None:
    async with aclient as client:
        collection = await client.get_collection(1)
        groups = organize(source.url, collection, source_options=source.options).groups
        result = await aupload_data_collection(client, 1, groups, journal=None, api="v2")
    assert result.success and result.units_created == len(source.expected)
    assert reads.whole_file_reads == 0 and reads.largest <= 4 * MIB
    state = server_state(fake)
    units = {u["meta"]["origin_file_stem"] for u in state["data_units"]}
    assert units == set(source.expected)


@pytest.mark.parametrize(("api", "trust"), [("v1", True), ("v2", True), ("v2", False)], ids=str)
def test_a_backend_read_error_fails_that_group_only(
    fake: MockSynapse,
    client: SynapseClient,
    source: Source,
    monkeypatch: pytest.MonkeyPatch,
    api: str,
    trust: bool,
) -> None:
    """Met by the upload (trusted ETag: no hashing pass) or by the hashing pass."""
    groups = source.groups(client)
    victim = groups[1].files["image"]
    fs: Any = victim.fs
    real_open = fs.open

    class Broken:
        def read(self, n: int = -1) -> bytes:
            raise RuntimeError("connection reset by the store")  # not an OSError

        def seek(self, offset: int, whence: int = 0) -> int:
            return offset

        def tell(self) -> int:
            return 0

        def close(self) -> None:
            pass

    def flaky_open(path: str, *args: Any, **kwargs: Any) -> Any:
        return Broken() if path == victim.path else real_open(path, *args, **kwargs)

    monkeypatch.setattr(fs, "open", flaky_open)
    result = upload_data_collection(client, 1, groups, journal=None, api=api, trust_etag=trust)
    assert [f.group for f in result.failures] == [groups[1].key]
    assert "connection reset by the store" in result.failures[0].message
    assert result.units_created == len(groups) - 1


def test_a_changed_object_is_hashed_again(
    fake: MockSynapse,
    client: SynapseClient,
    source: Source,
    s3: Any,
    bucket: str,
    reads: ReadLog,
    tmp_path: Path,
) -> None:
    """The MD5 cache key holds the ETag: same URL and size, new content → read again."""
    journal = tmp_path / "journal.sqlite3"
    assert upload_data_collection(client, 1, source.groups(client), journal=journal, api="v2")
    key = "ds/image/g00003.jpg"
    old = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    new = old[::-1]
    assert len(new) == len(old) and new != old
    s3.put_object(Bucket=bucket, Key=key, Body=new)
    reads.by_url.clear()
    again = upload_data_collection(client, 1, source.groups(client), journal=journal, api="v2")
    assert again.success and again.files_uploaded == 1 and again.units_created == 1
    url = f"s3://{bucket}/{key}"
    assert set(reads.by_url) == {url}  # only the changed object was read (hash + upload)
    assert reads.by_url[url] == 2 * len(new)
    checksums = {f["checksum"] for f in server_state(fake)["data_files"]}
    assert hashlib.md5(new).hexdigest() in checksums
