"""Which errors of one file's upload become a per-file failure, and which propagate.

The engine turns what a file's upload can fail with (``UPLOAD_ERRORS``: the server's answer,
the file changed or unreadable) into a failure of its group; anything else is a bug of the
library or of a caller's hook, and the ingestion raises it instead of reporting it as data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from mockserver import MockSynapse
from synapse_ext import FailureReason, SynapseClient, organize, upload_data_collection
from synapse_ext.client import _api
from synapse_ext.ingest import _protocol_v2

from .conftest import make_dataset

Api = Literal["v1", "v2"]


class Bug(ValueError):
    """Stands for a programming error that happens to be a ValueError."""


def _break_uploads(monkeypatch: pytest.MonkeyPatch, api: Api, error: Exception) -> None:
    """Every file's upload (v1: the client's upload flow; v2: the presigned PUTs) raises."""
    if api == "v1":

        def check_file(path: Any) -> Any:
            raise error

        monkeypatch.setattr(_api, "check_file", check_file)
    else:

        def presigned_upload_flow(*args: Any, **kwargs: Any) -> Iterator[Any]:
            raise error
            yield  # a generator, like the flow it replaces

        monkeypatch.setattr(_protocol_v2, "presigned_upload_flow", presigned_upload_flow)


def _ingest(client: SynapseClient, root: Path, api: Api) -> Any:
    groups = organize(root, client.get_collection(1))
    return upload_data_collection(client, 1, groups, project_id=1, journal=None, api=api)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_plain_value_error_inside_an_upload_propagates(
    fake: MockSynapse,
    client: SynapseClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    api: Api,
) -> None:
    root = tmp_path / "data"
    make_dataset(root, 4)
    _break_uploads(monkeypatch, api, Bug("an index off by one"))
    with pytest.raises(Bug, match="off by one"):
        _ingest(client, root, api)
    assert fake.state()["data_units"] == []


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_an_unreadable_file_at_the_same_place_fails_its_group_only(
    fake: MockSynapse,
    client: SynapseClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    api: Api,
) -> None:
    # The control of the test above: the same place, an error the engine means to catch.
    root = tmp_path / "data"
    expected = make_dataset(root, 4)
    _break_uploads(monkeypatch, api, OSError("the disk went away"))
    result = _ingest(client, root, api)
    assert result.units_created == 0
    assert {f.group for f in result.failures} == set(expected)
    assert {f.reason for f in result.failures} == {FailureReason.UPLOAD_FAILED}
