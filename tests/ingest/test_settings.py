"""IngestSettings: checked once at construction, picklable, keywords as its shorthand."""

from __future__ import annotations

import pickle
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

from mockserver import MockSynapse
from synapse_ext import IngestSettings, RetryPolicy, SynapseClient, organize, upload_data_collection
from synapse_ext.ingest import IngestOptions
from synapse_ext.ingest.settings import MAX_CHUNK, SettingsArgs

from .conftest import make_dataset

BAD = [
    ("project_id", 0, "an integer >= 1"),
    ("project_id", "7", "an integer >= 1"),
    ("batch_size", 0, "an integer between 1 and 1000"),
    ("batch_size", 1001, "an integer between 1 and 1000"),
    ("batch_size", True, "an integer between 1 and 1000"),
    ("max_workers", 0, "an integer >= 1"),
    ("max_workers", 2.5, "an integer >= 1"),
    ("chunked_threshold", 0, "a number of bytes between 1 and 5368709120 (5 GiB)"),
    ("chunked_threshold", MAX_CHUNK + 1, "a number of bytes between 1 and 5368709120 (5 GiB)"),
    ("chunk_size", 0, "a number of bytes between 1 and 5368709120 (5 GiB)"),
    ("chunk_size", MAX_CHUNK + 1, "a number of bytes between 1 and 5368709120 (5 GiB)"),
    ("window", 0, "an integer >= 1"),
    ("unit_retry", 3, "a RetryPolicy or None"),
    ("api", "v3", "one of auto, v1, v2"),
    ("part_concurrency", 0, "an integer >= 1"),
    ("lookup_threshold", -1, "an integer >= 0"),
    ("dry_run", "yes", "True or False"),
    ("trust_etag", 1, "True or False"),
    ("adaptive", None, "True or False"),
]


@pytest.mark.parametrize(("field", "value", "expected"), BAD)
def test_a_bad_value_names_the_field_the_value_and_what_is_expected(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(ValueError) as caught:
        IngestSettings(**{field: value})
    assert str(caught.value) == f"{field} must be {expected}, not {value!r}"


def test_every_field_has_a_bad_value_in_the_table() -> None:
    assert {f for f, _v, _e in BAD} == {a.name for a in attrs.fields(IngestSettings)}


def test_the_bounds_themselves_are_accepted() -> None:
    edge = IngestSettings(
        project_id=1,
        batch_size=1000,
        max_workers=1,
        chunked_threshold=MAX_CHUNK,
        chunk_size=1,
        window=1,
        part_concurrency=1,
        lookup_threshold=0,
        api="v2",
    )
    assert edge.batch_size == 1000 and edge.chunked_threshold == MAX_CHUNK


def test_frozen_and_evolve_checks_again() -> None:
    base = IngestSettings(batch_size=50)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        base.batch_size = 60  # type: ignore[misc]
    assert attrs.evolve(base, dry_run=True) == IngestSettings(batch_size=50, dry_run=True)
    with pytest.raises(ValueError, match="batch_size"):
        attrs.evolve(base, batch_size=0)


def test_pickles_to_an_equal_value() -> None:
    settings = IngestSettings(
        project_id=3, max_workers=5, unit_retry=RetryPolicy(max_attempts=2), api="v1"
    )
    assert pickle.loads(pickle.dumps(settings)) == settings


def test_the_shorthand_lists_the_fields_with_their_types() -> None:
    fields = typing.get_type_hints(IngestSettings)
    assert typing.get_type_hints(SettingsArgs) == fields
    options = typing.get_type_hints(IngestOptions)
    positional = {"project_id", "batch_size", "max_workers"}  # BackendClient's own parameters
    run_bound = {"journal", "executor"}
    assert set(options) - run_bound == set(fields) - positional
    assert {k: options[k] for k in set(options) - run_bound} == {
        k: v for k, v in fields.items() if k not in positional
    }


# -- through upload_data_collection ---------------------------------------------------------


def _groups(client: SynapseClient, tmp_path: Path, n: int = 6) -> list[Any]:
    make_dataset(tmp_path / "data", n)
    return organize(tmp_path / "data", client.get_collection(1)).groups


def test_keywords_override_settings(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    groups = _groups(client, tmp_path)
    base = IngestSettings(api="v1", batch_size=2)
    result = upload_data_collection(client, 1, groups, settings=base, dry_run=True, journal=None)
    assert result.dry_run and result.api == "v1"
    assert fake.state()["data_units"] == []  # the dry run stored nothing
    real = upload_data_collection(client, 1, groups, settings=base, journal=None)
    assert not real.dry_run and real.units_created == len(groups)
    assert fake.call_count("createDataUnits") == 3  # batches of base's 2


def test_bad_values_fail_before_any_request(fake: MockSynapse, client: SynapseClient) -> None:
    before = len(fake.calls)
    with pytest.raises(ValueError, match="part_concurrency must be an integer >= 1, not 0"):
        upload_data_collection(client, 1, [], part_concurrency=0)
    with pytest.raises(ValueError, match="window"):
        upload_data_collection(client, 1, [], settings=IngestSettings(), window=0)
    with pytest.raises(TypeError, match="batchsize"):
        upload_data_collection(client, 1, [], batchsize=10)  # type: ignore[call-arg]
    assert len(fake.calls) == before
