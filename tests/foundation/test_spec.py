"""The spec itself: valid OpenAPI, written the way the generator needs it."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.conftest import SPEC_PATH

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def test_spec_is_valid_openapi() -> None:
    spec_dict, base_uri = read_from_filename(str(SPEC_PATH))
    validate(spec_dict, base_uri=base_uri)


def test_every_operation_has_id_tag_and_own_security(spec: dict[str, Any]) -> None:
    ids = []
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        assert op.get("operationId"), f"{where}: missing operationId"
        assert len(op.get("tags", [])) == 1, f"{where}: needs exactly one tag"
        # Operation-level security is what makes the generator require AuthenticatedClient.
        assert op.get("security"), f"{where}: security must be declared on the operation"
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids))
    assert "security" not in spec, "top-level security is ignored by the generator"


# v2 401/403/404 bodies are undocumented (contract §6.1): declared without content, which
# the generator types as ``Any`` (``cast(Any, None)``, no decoding of an unknown body).
V2_BODYLESS = {"V2Unauthorized", "V2Forbidden", "V2NotFound"}


def test_every_response_has_a_schema_and_standard_status(spec: dict[str, Any]) -> None:
    responses = spec["components"]["responses"]
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            where = f"{method.upper()} {path} -> {status}"
            assert 100 <= int(status) <= 599, where
            name = response.get("$ref", "").rsplit("/", 1)[-1]
            if "$ref" in response:
                response = responses[name]
            if name in V2_BODYLESS and path.startswith("/v2/") and status in {"401", "403", "404"}:
                assert "content" not in response, where
                continue
            content = response.get("content", {})
            assert content, f"{where}: no content schema (the generator would leak Any)"
            for media in content.values():
                assert "schema" in media, where


def test_error_responses_share_the_error_schema(spec: dict[str, Any]) -> None:
    for name, response in spec["components"]["responses"].items():
        if name in V2_BODYLESS:
            assert "content" not in response, name
            continue
        schema = response["content"]["application/json"]["schema"]
        if name.startswith("V2"):
            assert schema == {"$ref": "#/components/schemas/V2ErrorEnvelope"}, name
            continue
        refs = [schema.get("$ref")] + [
            branch.get("$ref") or branch.get("items", {}).get("$ref")
            for branch in schema.get("oneOf", [])
        ]
        assert "#/components/schemas/Error" in refs, name


@pytest.mark.parametrize(
    "name",
    [
        "Error",
        "FileSpecification",
        "DataCollection",
        "DataFile",
        "ChunkedUpload",
        "DataUnitCreate",
        "DataUnit",
        "TaskCreateRequest",
        "Task",
        "VerifyChecksumsRequest",
        "VerifyChecksumsResponse",
        "PresignedUploadV1Request",
        "PresignedUploadResponse",
        "ConfirmUploadRequest",
        "ConfirmUploadResponse",
        "PresignedUploadRequest",
        "FinalizeUploadRequest",
        "FinalizeUploadResponse",
        "DataCollectionV2List",
        "DataCollectionV2Detail",
        "DataFileV2List",
        "DataFileV2Detail",
        "DataUnitV2BulkCreateRequest",
        "DataUnitV2BulkCreateResult",
        "DataUnitV2List",
        "DataUnitV2Detail",
        "TaskV2BulkCreateRequest",
        "TaskV2BulkCreateResult",
        "V2ErrorEnvelope",
        "V2DataCollectionListEnvelope",
        "V2DataCollectionDetailEnvelope",
        "V2PresignedUploadEnvelope",
        "V2FinalizeUploadEnvelope",
        "V2DataFileListEnvelope",
        "V2DataFileDetailEnvelope",
        "V2DataUnitBulkCreateEnvelope",
        "V2DataUnitListEnvelope",
        "V2DataUnitDetailEnvelope",
        "V2TaskBulkCreateEnvelope",
    ],
)
def test_schemas_carry_realistic_examples(spec: dict[str, Any], name: str) -> None:
    schema = spec["components"]["schemas"][name]
    assert "example" in schema, f"{name} has no example"
    for field in schema.get("required", []):
        assert field in schema["example"], f"{name}.example lacks required field {field}"


def test_no_nullable_beside_ref(spec: dict[str, Any]) -> None:
    """`nullable` next to a `$ref` is ignored by the generator, and openapi-core (the fake's
    contract check) rejects None under `allOf: [$ref]` + `nullable`: a nullable reference is
    `oneOf: [$ref, {enum: [null]}]` (the generator types it `X | None`)."""

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            assert not ("$ref" in node and "nullable" in node), where
            assert not ("allOf" in node and "nullable" in node), where
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(spec, "spec")


def test_file_specification_covers_the_contract_fields(spec: dict[str, Any]) -> None:
    props = spec["components"]["schemas"]["FileSpecification"]["properties"]
    expected = {
        "name",
        "is_required",
        "is_primary",
        "file_type",
        "description",
        "index",
        "function_type",
        "configuration",
        "extensions",
    }
    assert expected <= set(props)
    assert spec["components"]["schemas"]["FileType"]["enum"] == [
        "audio",
        "data",
        "image",
        "pcd",
        "text",
        "video",
    ]


def test_v2_operations_use_the_v2_auth_and_envelopes(spec: dict[str, Any]) -> None:
    """v2: the four security alternatives; every 2xx body is a ``*Envelope`` (data + meta)."""
    alternatives = [
        {"V2AccessToken": [], "V2Tenant": []},
        {"V2AccessToken": []},
        {"LegacyToken": [], "V2Tenant": []},
        {"LegacyToken": []},
    ]
    schemas = spec["components"]["schemas"]
    v2 = [(path, method, op) for path, method, op in operations(spec) if path.startswith("/v2/")]
    assert v2
    for path, method, op in v2:
        where = f"{method.upper()} {path}"
        assert op["security"] == alternatives, where
        assert op["tags"][0].startswith("v2_"), where
        for status, response in op["responses"].items():
            if not status.startswith("2"):
                continue
            ref = response["content"]["application/json"]["schema"]["$ref"]
            name = ref.rsplit("/", 1)[1]
            assert name.endswith("Envelope"), where
            assert set(schemas[name]["required"]) == {"data", "meta"}, name
