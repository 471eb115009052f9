"""A window's batches are pipelined: the order of requests shows it, without any clock.

The clients talk to the in-process fake through :class:`Watch`, which records every request
sent and answered with the batch it belongs to and can hold one answer until a later
request was seen: with batches stepped one after another (the former pipeline) the held
answer would wait for a request that never comes (the hold's guard then gives up and the
order assertions fail); with batch flows running side by side the request comes at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)
from synapse_ext.ingest._flows import BATCHES_IN_FLIGHT

from .conftest import FAST, assert_exact

pytestmark = pytest.mark.parametrize("fake_mode", ["respx"])  # Watch wraps its transport

BATCH = 5
GUARD_S = 10.0  # a hold gives up after this long (only when the pipeline is not there)

Event = tuple[str, str, int]  # ("send" | "answer", request kind, batch number from 0)


def _batch(stem: str) -> int:
    return int(stem[1:]) // BATCH


def _dataset(root: Path, n: int, *, shared: tuple[int, ...] = ()) -> dict[str, dict[str, str]]:
    """``n`` groups of one image each; the groups ``shared`` also have one same annotation."""
    (root / "image").mkdir(parents=True)
    (root / "annotation").mkdir()
    expected: dict[str, dict[str, str]] = {}
    for i in range(n):
        key = f"g{i:05d}"
        body = f"image {i} ".encode() * 50
        (root / "image" / f"{key}.jpg").write_bytes(body)
        expected[key] = {"image": hashlib.md5(body).hexdigest()}
        if i in shared:
            note = b'{"shared": true}'
            (root / "annotation" / f"{key}.json").write_bytes(note)
            expected[key]["annotation"] = hashlib.md5(note).hexdigest()
    return expected


class Watch(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The fake's transport, recording each API or storage request's batch as it is sent
    and answered; :meth:`hold` keeps one answer back until a predicate over the events holds."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.events: list[Event] = []
        self.units_sent: list[tuple[int, set[str]]] = []  # (event index, stems) per unit POST
        self._file_batch: dict[str, int] = {}  # storage key → batch (v2)
        self._unit_batch: dict[int, int] = {}  # unit id → batch
        self._holds: list[tuple[Event, Callable[[list[Event]], bool]]] = []
        self._cond = threading.Condition()

    def hold(self, answer: Event, until: Callable[[list[Event]], bool]) -> None:
        self._holds.append((answer, until))

    def index(self, event: Event) -> int:
        return self.events.index(event)

    def most_open(self) -> int:
        """The most batches with requests begun and not all answered, at any point."""
        open_: set[int] = set()
        last = {b: i for i, (_, _, b) in enumerate(self.events) if b >= 0}
        most = 0
        for i, (_, _, b) in enumerate(self.events):
            if b < 0:
                continue
            open_.add(b)
            most = max(most, len(open_))
            if last[b] == i:
                open_.discard(b)
        return most

    # -- classifying ---------------------------------------------------------------------
    def _kind(self, request: httpx.Request) -> tuple[str, int]:
        path = request.url.path
        if request.method == "PUT":
            key = path.split("/", 2)[2]
            return "put", self._file_batch.get(key, -1)
        if request.method != "POST":
            return "other", -1
        body = request.read()
        if path.endswith("/upload-urls/"):
            names = [f["filename"] for f in json.loads(body)["files"]]
            return "urls", min(_batch(n.split(".")[0]) for n in names)
        if path.endswith("/finalize-upload/"):
            keys = [f["file_key"] for f in json.loads(body)["files"]]
            return "finalize", min(self._file_batch.get(k, -1) for k in keys)
        if path.endswith("/data_files/"):
            stem = re.search(rb'filename="(g\d+)\.', body)
            return "file", _batch(stem.group(1).decode()) if stem else -1
        if (path.endswith("/bulk-create/") and "/tasks/" not in path) or path == "/data_units/":
            payload = json.loads(body)
            units = payload["units"] if isinstance(payload, dict) else payload
            stems = {u["meta"]["origin_file_stem"] for u in units}
            self.units_sent.append((len(self.events), stems))
            return "units", min(_batch(s) for s in stems)
        if "/tasks/" in path:
            payload = json.loads(body)
            ids = payload.get("data_unit_ids") or [d["data_unit"] for d in payload["data"]]
            return "tasks", min(self._unit_batch.get(int(u), -1) for u in ids)
        return "other", -1

    def _learn(self, kind: str, batch: int, response: httpx.Response) -> None:
        if kind == "urls":
            for f in response.json()["data"]["files"]:
                self._file_batch[f["file_key"]] = batch
        elif kind == "units" and response.status_code < 300:
            answer = response.json()
            rows = answer["data"]["results"] if isinstance(answer, dict) else answer
            for row in rows:
                self._unit_batch[int(row.get("data_unit_id", row.get("id")))] = batch

    def _record(self, event: Event) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def _held(self, event: Event) -> Callable[[list[Event]], bool] | None:
        return next((until for answer, until in self._holds if answer == event), None)

    # -- sync and async ------------------------------------------------------------------
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._cond:
            kind, batch = self._kind(request)
            self.events.append(("send", kind, batch))
            self._cond.notify_all()
        response = self.inner.handle_request(request)
        response.read()
        self._learn(kind, batch, response)
        until = self._held(("answer", kind, batch))
        if until is not None:
            with self._cond:
                self._cond.wait_for(lambda: until(self.events), timeout=GUARD_S)
        self._record(("answer", kind, batch))
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        kind, batch = self._kind(request)
        self._record(("send", kind, batch))
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self._learn(kind, batch, response)
        until = self._held(("answer", kind, batch))
        if until is not None:
            deadline = time.monotonic() + GUARD_S
            while not until(self.events) and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
        self._record(("answer", kind, batch))
        return response


def _sent(event: Event) -> Callable[[list[Event]], bool]:
    return lambda events: event in events


def _client(fake: MockSynapse, watch: Watch) -> SynapseClient:
    return SynapseClient(
        fake.base_url, fake.token, transport=watch, retry=FAST, sleep=lambda s: None
    )


def _assert_pipelined(watch: Watch, first_request: str, bound: str) -> None:
    # batch 1 asks before batch 0's last step before binding is answered; batch 2 before
    # batch 0's units are; never more than BATCHES_IN_FLIGHT batches at once.
    assert watch.index(("send", first_request, 1)) < watch.index(("answer", bound, 0))
    assert watch.index(("send", first_request, 2)) < watch.index(("answer", "units", 0))
    assert watch.most_open() == BATCHES_IN_FLIGHT


def test_v2_batches_overlap_and_at_most_three_run_at_once(
    fake: MockSynapse, tmp_path: Path
) -> None:
    expected = _dataset(tmp_path / "data", 6 * BATCH)
    watch = Watch(fake.transport)
    # Batch 0's finalize is answered only once batch 2 asked for its URLs.
    watch.hold(("answer", "finalize", 0), _sent(("send", "urls", 2)))
    with _client(fake, watch) as client:
        groups = organize(tmp_path / "data", client.get_collection(1))
        result = upload_data_collection(
            client, 1, groups, project_id=1, journal=None, api="v2", batch_size=BATCH
        )
    assert result.success, result.failures
    assert_exact(fake, expected)
    _assert_pipelined(watch, "urls", "finalize")


@pytest.mark.anyio
async def test_async_v2_batches_overlap(fake: MockSynapse, tmp_path: Path) -> None:
    expected = _dataset(tmp_path / "data", 6 * BATCH)
    watch = Watch(fake.transport)
    watch.hold(("answer", "finalize", 0), _sent(("send", "urls", 2)))

    async def asleep(seconds: float) -> None:
        return None

    async with AsyncSynapseClient(
        fake.base_url, fake.token, transport=watch, retry=FAST, sleep=asleep
    ) as client:
        groups = organize(tmp_path / "data", await client.get_collection(1))
        result = await aupload_data_collection(
            client, 1, groups, project_id=1, journal=None, api="v2", batch_size=BATCH
        )
    assert result.success, result.failures
    assert_exact(fake, expected)
    _assert_pipelined(watch, "urls", "finalize")


def test_v1_batches_overlap(fake: MockSynapse, tmp_path: Path) -> None:
    expected = _dataset(tmp_path / "data", 6 * BATCH)
    watch = Watch(fake.transport)
    # Batch 0's unit batch is answered only once batch 2 began uploading.
    watch.hold(("answer", "units", 0), _sent(("send", "file", 2)))
    with _client(fake, watch) as client:
        groups = organize(tmp_path / "data", client.get_collection(1))
        result = upload_data_collection(
            client, 1, groups, project_id=1, journal=None, api="v1", batch_size=BATCH
        )
    assert result.success, result.failures
    assert_exact(fake, expected)
    _assert_pipelined(watch, "file", "units")


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_group_sharing_an_earlier_batchs_file_is_bound_after_the_window(
    fake: MockSynapse, tmp_path: Path, api: str
) -> None:
    # g00001 (batch 0) uploads the annotation g00007 (batch 1) names too.
    expected = _dataset(tmp_path / "data", 3 * BATCH, shared=(1, 7))
    watch = Watch(fake.transport)
    stored = ("answer", "finalize" if api == "v2" else "file", 0)
    # Batch 0's files are stored only once batch 1 has bound its units.
    watch.hold(stored, lambda events: ("answer", "units", 1) in events)
    with _client(fake, watch) as client:
        groups = organize(tmp_path / "data", client.get_collection(1))
        result = upload_data_collection(
            client, 1, groups, project_id=1, journal=None, api=api, batch_size=BATCH
        )
    assert result.success, result.failures
    assert_exact(fake, expected)
    sent = [(index, stems) for index, stems in watch.units_sent if "g00007" in stems]
    assert sent == [(sent[0][0], {"g00007"})]  # one unit POST of its own, at the end
    last_stored = max(i for i, e in enumerate(watch.events) if e == stored)
    assert sent[0][0] > last_stored
    assert sent[0][0] > watch.index(("answer", "units", 2))
