"""Pure parts of ingestion: the journal, batching, error classification, content identity."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from synapse_ext._flow import batched
from synapse_ext.errors import (
    ClientError,
    NotFoundError,
    RateLimitError,
    RequestNotSentError,
    ResponseLostError,
    ServerError,
    ValidationError,
)
from synapse_ext.ingest import Journal, default_journal_path, journal_scope
from synapse_ext.ingest._identity import CONTENT_ID_KEY, content_id, unit_content_id
from synapse_ext.ingest.results import as_group
from synapse_ext.policy import UNIT_BATCH_RETRY, Decision

S = "api.example#1"


def test_journal_batch_lifecycle(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as j:
        j.begin_batch(S, "b1", [("c1", "a"), ("c2", "b")])
        assert j.inflight_batches(S) == ["b1"]
    # a new process sees the batch in flight (committed before the send)
    with Journal(path) as j:
        assert j.inflight_batches(S) == ["b1"]
        assert j.stats(S) == {"done": 0, "inflight": 2, "batches": 1, "tasks": 0}
        j.finish_batch(S, "b1", [("c1", 11)])
        assert j.done_units(S, ["c1", "c2"]) == {"c1": 11}
        assert j.stats(S) == {"done": 1, "inflight": 0, "batches": 0, "tasks": 0}
        assert j._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_journal_reconcile_first_unit_wins_and_close_inflight() -> None:
    with Journal(None) as j:
        j.begin_batch(S, "b1", [("c1", "a"), ("c2", "b")])
        j.record_remote_units(S, [("c1", 5), ("c1", 9), ("other", 7)])
        assert j.close_inflight(S) == 1  # c2 was not applied
        assert j.done_units(S, ["c1", "c2", "other"]) == {"c1": 5, "other": 7}
        assert j.inflight_batches(S) == []
        # a done unit is never moved back in flight
        j.begin_batch(S, "b2", [("c1", "a")])
        assert j.done_units(S, ["c1"]) == {"c1": 5}


def test_journal_scopes_tasks_hashes_forget() -> None:
    with Journal(None) as j:
        assert not j.scope_listed(S)
        j.mark_scope_listed(S)
        assert j.scope_listed(S) and not j.scope_listed("other#1")
        j.record_tasks(S, 1, [1, 2])
        assert j.units_without_task(S, 1, [1, 2, 3]) == [3]
        assert j.units_without_task(S, 2, [1]) == [1]
        j.store_md5s([("/a", 3, 10, "abc")])
        assert j.cached_md5("/a", 3, 10) == "abc"
        assert j.cached_md5("/a", 3, 11) is None
        j.forget(S)
        assert not j.scope_listed(S) and j.units_without_task(S, 1, [1]) == [1]
        assert j.cached_md5("/a", 3, 10) == "abc"
        j.reset()
        assert j.cached_md5("/a", 3, 10) is None


def test_journal_many_ids_in_one_query() -> None:
    with Journal(None) as j:
        j.record_remote_units(S, [(f"c{i}", i) for i in range(2500)])
        got = j.done_units(S, [f"c{i}" for i in range(0, 3000, 3)])
        assert len(got) == len(range(0, 2500, 3))


def test_scope_and_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert journal_scope("https://API.synapse.sh/", 3) == "api.synapse.sh#3"
    assert journal_scope("http://127.0.0.1:8123", 1) == "127.0.0.1:8123#1"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_journal_path() == tmp_path / "synapse-dc" / "ingest-journal.sqlite3"


def test_batched() -> None:
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched([], 3)) == []
    with pytest.raises(ValueError):
        list(batched([1], 0))


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (ResponseLostError("x"), Decision.RECONCILE),
        (RequestNotSentError("x"), Decision.RETRY),
        (ServerError(500, "x"), Decision.RECONCILE),
        (ServerError(503, "x"), Decision.RETRY),  # not processed (RFC 9110)
        (ServerError(502, "x"), Decision.RECONCILE),
        (ServerError(501, "x"), Decision.FAIL),
        (RateLimitError(429, "x"), Decision.RETRY),
        (ClientError(408, "x"), Decision.RETRY),
        (ClientError(425, "x"), Decision.RETRY),
        (ValidationError(400, "x"), Decision.SPLIT),
        (ValidationError(422, "x"), Decision.SPLIT),
        (NotFoundError(404, "x"), Decision.FAIL),
    ],
)
def test_classify(error: ClientError, action: Decision) -> None:
    assert UNIT_BATCH_RETRY.decide(error, safe=False, splittable=True) is action


def test_unit_batch_retry_full_jitter_and_retry_after() -> None:
    policy = UNIT_BATCH_RETRY
    assert policy.max_attempts == 3
    failed = ServerError(502, "x")
    assert policy.delay(failed, 0, uniform=lambda a, b: b) == 0.5
    assert policy.delay(failed, 1, uniform=lambda a, b: b) == 1.0
    assert policy.delay(failed, 1, uniform=lambda a, b: a) == 0.0
    throttled = RateLimitError(429, "x", httpx.Response(429, headers={"Retry-After": "120"}))
    assert policy.delay(throttled, 0) == 60.0
    # one reading of Retry-After for every flow: a 503 with it is honoured for batches too
    busy = ServerError(503, "x", httpx.Response(503, headers={"Retry-After": "2"}))
    assert policy.delay(busy, 0) == 2.0


def test_content_id_and_unit_identity() -> None:
    cid = content_id({"image": "aa", "label": "bb"}, {"k": 1}, ["g"])
    assert cid == content_id({"label": "bb", "image": "aa"}, {"k": 1, CONTENT_ID_KEY: "z"}, ["g"])
    assert cid != content_id({"image": "aa", "label": "bb"}, {"k": 2}, ["g"])
    assert cid != content_id({"image": "aa", "label": "bb"}, {"k": 1}, [])
    carried = {"id": 1, "files": {}, "meta": {CONTENT_ID_KEY: "abc"}}
    assert unit_content_id(carried) == "abc"
    foreign = {
        "id": 2,
        "files": {"image": {"checksum": "aa"}, "label": {"checksum": "bb"}},
        "meta": {"k": 1},
        "groups": ["g"],
    }
    assert unit_content_id(foreign) == cid


def test_as_group_normalizes_page_dicts() -> None:
    g = as_group(
        {"files": {"image": "/d/image/a.jpg"}, "meta": {"p": Path("/x")}, "groups": "b"}, 0
    )
    assert g.key == "a" and g.groups == ("b",) and g.meta == {"p": "/x"}
    g = as_group({"files": {"image": "/d/a.jpg"}, "meta": {"origin_file_stem": "s"}}, 0)
    assert g.key == "s"
    with pytest.raises(ValueError):
        as_group({"meta": {}}, 3)
    with pytest.raises(TypeError):
        as_group(42, 3)
