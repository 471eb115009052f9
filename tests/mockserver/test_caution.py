"""A collection's v2 ``caution`` is state: ``""`` by default, set per collection in fixtures
or for all of them through ``mock_synapse(caution=...)``; it survives a reset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockserver import CAUTIONS, default_fixtures, mock_synapse, with_caution
from synapse_ext import SynapseClient
from tests.mockserver.v2_helpers import data, v2_client


def _cautions(fake: Any) -> dict[int, str]:
    with v2_client(fake) as http:
        listing = data(http.get("/v2/data-collections/"))
        ids = [c["id"] for c in listing]
        return {cid: data(http.get(f"/v2/data-collections/{cid}/"))["caution"] for cid in ids}


def test_default_is_the_empty_caution() -> None:
    with mock_synapse(validate=True) as fake:
        cautions = _cautions(fake)
    assert cautions and set(cautions.values()) == {""}


def test_a_fixture_sets_one_collections_caution(tmp_path: Path) -> None:
    fixtures = default_fixtures()
    fixtures["data_collections"][0]["caution"] = "sensitive_content"
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(fixtures))
    first = fixtures["data_collections"][0]["id"]
    with mock_synapse(fixtures=path, validate=True) as fake:
        cautions = _cautions(fake)
        typed = SynapseClient(fake.base_url, fake.token, transport=fake.transport)
        assert typed.get_collection_v2(first).caution == "sensitive_content"
    assert cautions.pop(first) == "sensitive_content"
    assert set(cautions.values()) == {""}


def test_mock_synapse_caution_applies_to_every_collection_and_survives_reset() -> None:
    with mock_synapse(caution="sensitive_content", validate=True) as fake:
        assert set(_cautions(fake).values()) == {"sensitive_content"}
        fake.reset()
        assert set(_cautions(fake).values()) == {"sensitive_content"}


def test_a_fixture_caution_wins_over_the_default_given() -> None:
    fixtures = default_fixtures()
    fixtures["data_collections"][0]["caution"] = ""
    merged = with_caution(fixtures, "sensitive_content")
    assert merged["data_collections"][0]["caution"] == ""
    assert all(c["caution"] == "sensitive_content" for c in merged["data_collections"][1:])
    assert "caution" not in default_fixtures()["data_collections"][0]  # a copy


@pytest.mark.parametrize("bad", ["sensitive", "SENSITIVE_CONTENT", None])
def test_an_unknown_caution_is_refused_with_its_collection(bad: Any) -> None:
    fixtures = default_fixtures()
    fixtures["data_collections"][0]["caution"] = bad
    cid = fixtures["data_collections"][0]["id"]
    refused = pytest.raises(ValueError, match=rf"data collection {cid}: caution must be one of")
    with refused, mock_synapse(fixtures=fixtures):
        pass
    with pytest.raises(ValueError, match="caution must be one of"):
        with_caution(default_fixtures(), "nope")
    assert CAUTIONS == ("", "sensitive_content")
