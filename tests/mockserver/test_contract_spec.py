"""The contract validator (openapi-core) against openapi.yaml's v1 presigned and v2 shapes.

These need no handler: they check that the spec, as the fake validates it, accepts what the
real backend sends (raw v2 tokens, null nested objects, envelopes) and rejects what it must.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.contract import ContractValidator
from mockserver.http import MockRequest, MockResponse

RAW_TOKEN = {"SYNAPSE-ACCESS-TOKEN": "syn_abc"}


@pytest.fixture(scope="module")
def validator() -> ContractValidator:
    return ContractValidator()


def request(
    method: str, path: str, headers: dict[str, str], body: Any = None, query: str = ""
) -> MockRequest:
    sent = dict(headers)
    if body is not None:
        sent["content-type"] = "application/json"
    return MockRequest(
        method=method,
        scheme="http",
        host="testserver",
        path=path,
        query_string=query,
        headers=sent,
        body=b"" if body is None else json.dumps(body).encode(),
    )


def example(spec: dict[str, Any], name: str) -> Any:
    return spec["components"]["schemas"][name]["example"]


@pytest.mark.parametrize(
    "headers",
    [
        RAW_TOKEN,
        {**RAW_TOKEN, "SYNAPSE-Tenant": "demo"},
        {"SYNAPSE-ACCESS-TOKEN": "Token syn_abc", "SYNAPSE-Tenant": "Token demo"},
        {"Authorization": "Token legacy"},
        {"Authorization": "Token legacy", "SYNAPSE-Tenant": "demo"},
    ],
    ids=["raw-token", "raw-token-tenant", "token-prefix", "legacy", "legacy-tenant"],
)
def test_v2_auth_alternatives_pass(
    validator: ContractValidator, spec: dict[str, Any], headers: dict[str, str]
) -> None:
    body = example(spec, "DataUnitV2BulkCreateRequest")
    sent = request("post", "/v2/data-units/bulk-create/", headers, body, "dry_run=true")
    assert validator.request_violations("v2BulkCreateDataUnits", sent) == []


def test_v2_without_a_token_is_a_violation(validator: ContractValidator) -> None:
    sent = request("get", "/v2/data-units/", {"SYNAPSE-Tenant": "demo"})
    assert validator.request_violations("v2ListDataUnits", sent)


def test_null_and_present_nested_objects(
    validator: ContractValidator, spec: dict[str, Any]
) -> None:
    sent = request(
        "post",
        "/data_files/presigned_upload/upload/",
        {"Synapse-Access-Token": "Token t"},
        {"files": [{"filename": "a.jpg", "size": 1, "content_type": None}]},
    )
    assert validator.request_violations("createPresignedUploads", sent) == []
    single = example(spec, "PresignedUploadResponse")
    assert single["files"][0]["multipart"] is None
    ok = MockResponse(status=200, body=single)
    assert validator.response_violations("createPresignedUploads", sent, ok) == []
    multipart = {
        "upload_id": "u",
        "part_size": 5,
        "parts": [{"part_number": 1, "presigned_url": "https://storage.test/p1"}],
    }
    files = [{"filename": "a", "file_key": "k", "presigned_url": None, "multipart": multipart}]
    envelope = {
        "data": {"files": files, "expires_at": "2026-01-15T10:30:00Z"},
        "meta": {"request_id": "r"},
    }
    sent = request(
        "post",
        "/v2/data-collections/1/upload-urls/",
        RAW_TOKEN,
        example(spec, "PresignedUploadRequest"),
    )
    answer = MockResponse(status=200, body=envelope)
    assert validator.response_violations("v2CreateUploadUrls", sent, answer) == []


def test_v2_bodies_are_enveloped(validator: ContractValidator, spec: dict[str, Any]) -> None:
    sent = request("get", "/v2/data-units/4101/", RAW_TOKEN)
    good = MockResponse(status=200, body=example(spec, "V2DataUnitDetailEnvelope"))
    bare = MockResponse(status=200, body=example(spec, "DataUnitV2Detail"))
    assert validator.response_violations("v2GetDataUnit", sent, good) == []
    assert validator.response_violations("v2GetDataUnit", sent, bare)
    error = MockResponse(status=400, body=example(spec, "V2ErrorEnvelope"))
    assert validator.response_violations("v2GetDataUnit", sent, error) == []
    for status in (401, 403, 404):  # undocumented bodies: anything goes
        answer = MockResponse(status=status, body={"detail": "Not found."})
        assert validator.response_violations("v2GetDataUnit", sent, answer) == []


def test_v2_cursor_pages(validator: ContractValidator, spec: dict[str, Any]) -> None:
    sent = request("get", "/v2/data-collections/", RAW_TOKEN, query="category=image&cursor=abc")
    assert validator.request_violations("v2ListDataCollections", sent) == []
    page = MockResponse(status=200, body=example(spec, "V2DataCollectionListEnvelope"))
    assert validator.response_violations("v2ListDataCollections", sent, page) == []
    wrong = request("get", "/v2/data-collections/", RAW_TOKEN, query="category=movie")
    assert validator.request_violations("v2ListDataCollections", wrong)
