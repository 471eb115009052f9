"""An ingestion under throttling: adaptive concurrency backs off and the run stays exact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)

from .conftest import FAST, assert_exact, make_dataset, server_state

pytestmark = pytest.mark.slow


@pytest.fixture
def client_options() -> dict[str, Any]:
    return {"retry": FAST}


def _throttle(fake: MockSynapse, api: str) -> None:
    # Five faults in all, fewer than FAST's 6 attempts: once the limit is down to 1, a single
    # file may meet every one of them in a row and must still get through.
    if api == "v1":
        fake.faults.script("createDataFile", status=429, times=3, retry_after=0)
        fake.faults.script("createDataFile", status=503, times=2)
    else:
        fake.faults.script("storagePutObject", status=503, times=3)
        fake.faults.proxy_error("storagePutObject", times=2)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_throttled_uploads_back_off_and_every_unit_is_made_once(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, api: str
) -> None:
    expected = make_dataset(tmp_path / "data", 40)
    _throttle(fake, api)
    groups = organize(tmp_path / "data", client.get_collection(1))
    result = upload_data_collection(
        client, 1, groups, project_id=1, journal=None, api=api, batch_size=10
    )
    assert result.success, result.failures
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    stats = result.concurrency
    assert stats is not None and stats.ceiling == 48 and stats.start == 8
    # It backed off from where it stood (batches run side by side, so it may have grown first).
    assert stats.decreases >= 1 and stats.lowest < stats.peak
    assert result.to_dict()["concurrency"] == {
        "start": 8,
        "peak": stats.peak,
        "lowest": stats.lowest,
        "final": stats.final,
        "ceiling": 48,
        "decreases": stats.decreases,
        "observed": stats.observed,
    }


@pytest.mark.anyio
async def test_async_throttled_uploads_back_off(
    fake: MockSynapse, aclient: AsyncSynapseClient, tmp_path: Path
) -> None:
    expected = make_dataset(tmp_path / "data", 40)
    _throttle(fake, "v2")
    async with aclient as c:
        groups = organize(tmp_path / "data", await c.get_collection(1))
        result = await aupload_data_collection(
            c, 1, groups, project_id=1, journal=None, api="v2", batch_size=10, max_workers=12
        )
    assert result.success, result.failures
    assert_exact(fake, expected)
    assert result.concurrency is not None and result.concurrency.ceiling == 12
    assert result.concurrency.start == 12  # a given max_workers is where it starts
    assert result.concurrency.decreases >= 1


def test_fixed_workers_keep_the_old_behaviour(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    expected = make_dataset(tmp_path / "data", 12)
    _throttle(fake, "v2")
    groups = organize(tmp_path / "data", client.get_collection(1))
    result = upload_data_collection(
        client, 1, groups, project_id=1, journal=None, api="v2", adaptive=False
    )
    assert result.success and result.concurrency is None
    assert result.to_dict()["concurrency"] is None
    assert_exact(fake, expected)
