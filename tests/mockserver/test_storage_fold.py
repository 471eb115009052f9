"""The embedded store folds a multipart object's MD5 while its parts arrive.

Whatever order the parts come in, whichever are sent again and whichever the completion
lists, the object's MD5 (what finalize checks a checksum against) is the MD5 of exactly the
listed parts' bytes, in part order; and parts folded before the completion are not read
again by the hash at the end.
"""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path
from typing import Any

import pytest

import mockserver.storage.embedded as embedded
from mockserver.http import UploadedFile
from mockserver.storage import MIN_PART_BYTES, EmbeddedStore

pytestmark = pytest.mark.slow

PART = MIN_PART_BYTES
MIB = 1 << 20


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    return EmbeddedStore(tmp_path / "store")


def _data(tag: int, size: int = PART) -> bytes:
    return random.Random(tag).randbytes(size)


def _put(store: EmbeddedStore, key: str, upload_id: str, number: int, data: bytes) -> str:
    spool = store.root / f"spool-{number}-{hashlib.md5(data).hexdigest()}.bin"
    spool.write_bytes(data)
    body = UploadedFile("body", None, spool, len(data), hashlib.md5(data).hexdigest())
    return store.upload_part(key, upload_id, number, body)


def _idle(store: EmbeddedStore) -> None:
    """Wait until the background folder has nothing left to do."""
    for _ in range(2000):
        if not store._folding:
            return
        time.sleep(0.005)
    raise AssertionError("the folder never went idle")


def test_in_order_parts_are_folded_before_completion(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = store.create_multipart_upload("k")
    parts = [_data(n) for n in (1, 2, 3)]
    etags = [_put(store, "k", upload, n, d) for n, d in enumerate(parts, start=1)]
    _idle(store)
    read: list[Path] = []
    real = embedded._hash_file

    def counting(path: Path, *digests: Any) -> None:
        if store.root in path.parents:  # other fakes of this process hash their own files
            read.append(path)
        real(path, *digests)

    monkeypatch.setattr(embedded, "_hash_file", counting)
    store.complete_multipart_upload("k", upload, list(enumerate(etags, start=1)))
    assert store.content_hash("k") == hashlib.md5(b"".join(parts)).hexdigest()
    assert read == []  # every part was folded as it arrived
    assert store.content_hash("k") == hashlib.md5(b"".join(parts)).hexdigest()


def test_completion_before_the_fold_caught_up_hashes_only_the_rest(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_schedule_fold", lambda upload: None)  # no background folding
    upload = store.create_multipart_upload("k")
    parts = [_data(n) for n in (4, 5)]
    etags = [_put(store, "k", upload, n, d) for n, d in enumerate(parts, start=1)]
    store.complete_multipart_upload("k", upload, list(enumerate(etags, start=1)))
    assert store.content_hash("k") == hashlib.md5(b"".join(parts)).hexdigest()


@pytest.mark.parametrize("seed", range(12))
def test_any_order_resends_and_part_lists_give_the_listed_bytes_md5(
    store: EmbeddedStore, seed: int
) -> None:
    rng = random.Random(seed)
    count = rng.randint(1, 5)
    upload = store.create_multipart_upload("k")
    latest: dict[int, tuple[bytes, str]] = {}
    numbers = list(range(1, count + 1))
    rng.shuffle(numbers)
    sends = numbers + rng.choices(numbers, k=rng.randint(0, 3))  # some parts sent again
    for i, number in enumerate(sends):
        data = _data(seed * 100 + i, PART + rng.randint(0, 1000))
        latest[number] = (data, _put(store, "k", upload, number, data))
        if rng.random() < 0.5:
            _idle(store)  # sometimes after the folder caught up, sometimes racing it
    listed = sorted(rng.sample(range(1, count + 1), rng.randint(1, count)))
    store.complete_multipart_upload("k", upload, [(n, latest[n][1]) for n in listed])
    expected = b"".join(latest[n][0] for n in listed)
    assert store.content_hash("k") == hashlib.md5(expected).hexdigest()
    assert store.content_hash("k", "sha1") == hashlib.sha1(expected).hexdigest()
    assert store.content_hashes("k") == (
        hashlib.md5(expected).hexdigest(),
        hashlib.sha1(expected).hexdigest(),
    )


def test_a_folded_part_sent_again_refolds(store: EmbeddedStore) -> None:
    upload = store.create_multipart_upload("k")
    first = [_data(n) for n in (7, 8)]
    etags = [_put(store, "k", upload, n, d) for n, d in enumerate(first, start=1)]
    _idle(store)
    again = _data(9)
    etags[0] = _put(store, "k", upload, 1, again)
    store.complete_multipart_upload("k", upload, list(enumerate(etags, start=1)))
    assert store.content_hash("k") == hashlib.md5(again + first[1]).hexdigest()


def test_reset_stops_folding(store: EmbeddedStore) -> None:
    upload = store.create_multipart_upload("k")
    _put(store, "k", upload, 1, _data(10))
    store.reset()
    _idle(store)
    assert store.snapshot() == {"objects": {}, "uploads": {}}


def test_a_part_discarded_mid_hash_by_the_completion_leaves_the_fold_untouched(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The completion (listing parts 1-2) lands while the folder reads part 3, which it then
    discards: the MD5 the completion uses must not hold part 3's first bytes."""
    upload = store.create_multipart_upload("k")
    parts = [_data(n) for n in (21, 22)]
    etags = [_put(store, "k", upload, n, d) for n, d in enumerate(parts, start=1)]
    _idle(store)
    real = embedded._hash_file

    def racing(path: Path, *digests: Any) -> None:
        if "part3" not in path.name:
            real(path, *digests)
            return
        for digest in digests:  # the first block is read...
            digest.update(_data(23)[:MIB])
        store.complete_multipart_upload("k", upload, list(enumerate(etags, start=1)))
        raise FileNotFoundError(path)  # ...then the completion discards the part

    monkeypatch.setattr(embedded, "_hash_file", racing)
    _put(store, "k", upload, 3, _data(23))
    _idle(store)
    monkeypatch.setattr(embedded, "_hash_file", real)
    assert store.content_hash("k") == hashlib.md5(b"".join(parts)).hexdigest()
