"""Soak: 300 groups over real HTTP with 20% random faults on every operation, one call.

Faults: 429/503 with ``Retry-After``, 500/502/504, dropped connections and responses lost
after the server committed. A single ``upload_data_collection`` call must end with zero
failures and the fake must hold exactly one unit per group, every file once, no duplicates.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest

from mockserver import mock_synapse
from synapse_ext import SynapseClient, organize, upload_data_collection
from tests.ingest.conftest import assert_exact, make_dataset, server_state

from .helpers import SOAK_RETRY, SOAK_UNITS, TOKEN, no_sleep

pytestmark = pytest.mark.slow

N_GROUPS = 300
FAULTS = {
    "rate": 0.2,
    "kinds": ("status", "drop", "lose_response"),
    "statuses": (429, 500, 502, 503, 504),
    "retry_after": 2,
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_soak_single_call_loses_nothing(
    tmp_path: Path, seed: int, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS, size=400)
    caplog.set_level(logging.DEBUG)
    with mock_synapse(mode="server", token=TOKEN) as fake:
        fake.faults.random(seed=seed, **FAULTS)
        with SynapseClient(fake.base_url, TOKEN, retry=SOAK_RETRY, sleep=no_sleep) as client:
            result = upload_data_collection(
                client,
                1,
                organize(root, client.get_collection(1)),
                project_id=1,
                batch_size=20,
                journal=tmp_path / "journal.sqlite3",
                unit_retry=SOAK_UNITS,
                api="v1",
            )
        fake.faults.clear()
        faulted = sum(1 for c in fake.calls if c.fault)
        assert result.failed == 0, result.to_dict()
        assert result.success and result.units_created == N_GROUPS
        assert faulted > 50, "the faults did not fire"
        assert_exact(fake, expected)
        state = server_state(fake)
    distinct = {c for group in expected.values() for c in group.values()}
    files = Counter(f["checksum"] for f in state["data_files"])
    assert set(files) == distinct and max(files.values()) == 1, "duplicate data files"
    assert TOKEN not in caplog.text


EXPIRED = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_soak_v2_single_call_loses_nothing(tmp_path: Path, seed: int) -> None:
    """The same soak over v2: random faults on every API *and storage* operation, plus proxy
    400s without a storage Code and expired URLs; exactly one unit per group, no file twice."""
    root = tmp_path / "data"
    expected = make_dataset(root, N_GROUPS, size=400)
    with mock_synapse(mode="server", token=TOKEN) as fake:
        fake.faults.proxy_error("storagePutObject", times=5)
        fake.faults.respond(
            "storagePutObject", status=403, body=EXPIRED, content_type="application/xml", times=3
        )
        fake.faults.random(seed=seed, **FAULTS)
        with SynapseClient(fake.base_url, TOKEN, retry=SOAK_RETRY, sleep=no_sleep) as client:
            result = upload_data_collection(
                client,
                1,
                organize(root, client.get_collection(1)),
                project_id=1,
                batch_size=20,
                journal=tmp_path / "journal.sqlite3",
                unit_retry=SOAK_UNITS,
                api="v2",
            )
        fake.faults.clear()
        assert result.api == "v2"
        assert result.failed == 0, result.to_dict()
        # A lost bulk-create answer is resent; the units the lost attempt made count as created.
        assert result.units_created == N_GROUPS and result.units_already_present == 0
        assert sum(1 for c in fake.calls if c.fault and c.operation_id.startswith("storage")) > 5
        assert_exact(fake, expected)
        state = server_state(fake)
    distinct = {c for group in expected.values() for c in group.values()}
    files = Counter(f["checksum"] for f in state["data_files"])
    assert set(files) == distinct and max(files.values()) == 1, "duplicate data files"
