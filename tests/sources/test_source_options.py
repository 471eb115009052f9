"""``--source-option`` parsing and the masking of secret-looking options (pure)."""

from __future__ import annotations

import pytest

from synapse_ext import parse_source_options
from synapse_ext.sources import SourcePath, redacted


def test_values_are_json_where_they_parse_else_strings() -> None:
    parsed = parse_source_options(
        [
            "endpoint_url=http://127.0.0.1:9000",
            "anon=true",
            "max_concurrency=4",
            'config_kwargs={"retries": {"max_attempts": 1}}',
            "token=a=b",  # only the first '=' splits
            "empty=",
        ]
    )
    assert parsed == {
        "endpoint_url": "http://127.0.0.1:9000",
        "anon": True,
        "max_concurrency": 4,
        "config_kwargs": {"retries": {"max_attempts": 1}},
        "token": "a=b",
        "empty": "",
    }


@pytest.mark.parametrize("item", ["endpoint_url", "=hunter2", " =hunter2"])
def test_a_bad_item_is_named_without_its_value(item: str) -> None:
    with pytest.raises(ValueError, match="expected KEY=VALUE") as caught:
        parse_source_options(["anon=true", item])
    assert "hunter2" not in str(caught.value)


def test_secret_looking_options_are_masked() -> None:
    options = {
        "endpoint_url": "http://minio:9000",
        "key": "AKIA...",
        "secret": "s3cr3t",
        "token": "t",
        "client_kwargs": {"aws_session_token": "x", "region_name": "eu-west-1"},
        "account_key": "k",
        "sas_token": "sig",
    }
    assert redacted(options) == {
        "endpoint_url": "http://minio:9000",
        "key": "***",
        "secret": "***",
        "token": "***",
        "client_kwargs": {"aws_session_token": "***", "region_name": "eu-west-1"},
        "account_key": "***",
        "sas_token": "***",
    }


def test_only_md5_shaped_etags_count_as_md5_claims() -> None:
    def etag(value: str | None) -> str | None:
        return SourcePath("s3://b/k", "b/k", None, size=1, etag=value).md5_etag

    assert etag("D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e"
    assert etag("d41d8cd98f00b204e9800998ecf8427e-3") is None  # multipart: not an MD5
    assert etag("abc") is None and etag(None) is None
