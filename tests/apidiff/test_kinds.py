"""One pair per kind of change, with the expected classification (all three levels)."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CLIENTS, SERVERS, OK = "breaking for clients", "breaking for servers", "compatible"

AUTH = [{"AccessToken": []}]


def base_spec() -> dict[str, Any]:
    """A tiny spec: one GET (query params, $ref'd response) and one POST (request body)."""
    return {
        "openapi": "3.0.3",
        "paths": {
            "/units/": {
                "get": {
                    "operationId": "listUnits",
                    "security": AUTH,
                    "parameters": [
                        {"$ref": "#/components/parameters/Page"},
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Unit"}
                                }
                            },
                        },
                        "404": {"description": "missing"},
                    },
                },
                "post": {
                    "operationId": "createUnit",
                    "security": AUTH,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/UnitCreate"}
                            }
                        },
                    },
                    "responses": {"201": {"description": "created"}},
                },
            }
        },
        "components": {
            "securitySchemes": {"AccessToken": {"type": "apiKey", "in": "header", "name": "Token"}},
            "parameters": {"Page": {"name": "page", "in": "query", "schema": {"type": "integer"}}},
            "schemas": {
                "Kind": {"type": "string", "enum": ["image", "text"]},
                "Unit": {
                    "type": "object",
                    "required": ["id", "kind"],
                    "properties": {
                        "id": {"type": "integer", "format": "int64"},
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "note": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "UnitCreate": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["image", "text"]},
                        "note": {"type": "string"},
                        "parent": {"type": "integer", "nullable": True},
                    },
                },
            },
        },
    }


Edit = Callable[[dict[str, Any]], None]


def _schemas(s: dict[str, Any]) -> dict[str, Any]:
    return s["components"]["schemas"]  # type: ignore[no-any-return]


def _get(s: dict[str, Any]) -> dict[str, Any]:
    return s["paths"]["/units/"]["get"]  # type: ignore[no-any-return]


def _post(s: dict[str, Any]) -> dict[str, Any]:
    return s["paths"]["/units/"]["post"]  # type: ignore[no-any-return]


HTTP_CASES: list[tuple[str, Edit, str, str, str]] = [
    # id, edit, kind, item, classification
    (
        "op-removed",
        lambda s: s["paths"]["/units/"].pop("post"),
        "operation-removed",
        "createUnit",
        CLIENTS,
    ),
    (
        "op-added",
        lambda s: s["paths"]["/units/"].update(
            delete={"operationId": "dropUnits", "responses": {"204": {"description": "gone"}}}
        ),
        "operation-added",
        "dropUnits",
        OK,
    ),
    (
        "param-added-required",
        lambda s: _get(s)["parameters"].append(
            {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        "parameter-added",
        "listUnits.tenant",
        CLIENTS,
    ),
    (
        "param-added-optional",
        lambda s: _get(s)["parameters"].append(
            {"name": "order", "in": "query", "schema": {"type": "string"}}
        ),
        "parameter-added",
        "listUnits.order",
        OK,
    ),
    (
        "param-removed",
        lambda s: _get(s)["parameters"].pop(1),
        "parameter-removed",
        "listUnits.q",
        CLIENTS,
    ),
    (
        "param-retyped-via-ref",
        lambda s: s["components"]["parameters"]["Page"].update(schema={"type": "string"}),
        "type-changed",
        "listUnits.page",
        CLIENTS,
    ),
    (
        "param-made-required",
        lambda s: _get(s)["parameters"][1].update(required=True),
        "parameter-required-changed",
        "listUnits.q",
        CLIENTS,
    ),
    (
        "response-field-removed",
        lambda s: _schemas(s)["Unit"]["properties"].pop("note"),
        "field-removed",
        "Unit.note",
        CLIENTS,
    ),
    (
        "response-required-field-added",
        lambda s: (
            _schemas(s)["Unit"]["properties"].update(size={"type": "integer"}),
            _schemas(s)["Unit"]["required"].append("size"),
        ),
        "field-added",
        "Unit.size",
        SERVERS,
    ),
    (
        "response-optional-field-added",
        lambda s: _schemas(s)["Unit"]["properties"].update(size={"type": "integer"}),
        "field-added",
        "Unit.size",
        OK,
    ),
    (
        "response-field-made-optional",
        lambda s: _schemas(s)["Unit"]["required"].remove("kind"),
        "required-changed",
        "Unit.kind",
        CLIENTS,
    ),
    (
        "request-field-made-required",
        lambda s: _schemas(s)["UnitCreate"]["required"].append("note"),
        "required-changed",
        "UnitCreate.note",
        CLIENTS,
    ),
    (
        "request-required-field-added",
        lambda s: (
            _schemas(s)["UnitCreate"]["properties"].update(size={"type": "integer"}),
            _schemas(s)["UnitCreate"]["required"].append("size"),
        ),
        "field-added",
        "UnitCreate.size",
        CLIENTS,
    ),
    (
        "request-optional-field-added",
        lambda s: _schemas(s)["UnitCreate"]["properties"].update(size={"type": "integer"}),
        "field-added",
        "UnitCreate.size",
        OK,
    ),
    (
        "format-changed",
        lambda s: _schemas(s)["Unit"]["properties"]["id"].update(format="int32"),
        "format-changed",
        "Unit.id",
        CLIENTS,
    ),
    (
        "type-changed-in-array",
        lambda s: _schemas(s)["Unit"]["properties"]["tags"].update(items={"type": "integer"}),
        "type-changed",
        "Unit.tags[]",
        CLIENTS,
    ),
    (
        "response-enum-added-via-ref",
        lambda s: _schemas(s)["Kind"]["enum"].append("video"),
        "enum-value-added",
        "Kind",
        CLIENTS,
    ),
    (
        "response-enum-removed",
        lambda s: _schemas(s)["Kind"]["enum"].remove("text"),
        "enum-value-removed",
        "Kind",
        SERVERS,
    ),
    (
        "request-enum-removed",
        lambda s: _schemas(s)["UnitCreate"]["properties"]["kind"]["enum"].remove("text"),
        "enum-value-removed",
        "UnitCreate.kind",
        CLIENTS,
    ),
    (
        "request-enum-added",
        lambda s: _schemas(s)["UnitCreate"]["properties"]["kind"]["enum"].append("video"),
        "enum-value-added",
        "UnitCreate.kind",
        SERVERS,
    ),
    (
        "response-made-nullable",
        lambda s: _schemas(s)["Unit"]["properties"]["note"].update(nullable=True),
        "nullable-changed",
        "Unit.note",
        CLIENTS,
    ),
    (
        "request-made-non-nullable",
        lambda s: _schemas(s)["UnitCreate"]["properties"]["parent"].pop("nullable"),
        "nullable-changed",
        "UnitCreate.parent",
        CLIENTS,
    ),
    (
        "status-removed",
        lambda s: _get(s)["responses"].pop("404"),
        "status-removed",
        "listUnits.404",
        SERVERS,
    ),
    (
        "status-2xx-added",
        lambda s: _get(s)["responses"].update({"206": {"description": "partial"}}),
        "status-added",
        "listUnits.206",
        CLIENTS,
    ),
    (
        "status-4xx-added",
        lambda s: _get(s)["responses"].update({"429": {"description": "slow down"}}),
        "status-added",
        "listUnits.429",
        OK,
    ),
    (
        "security-alternative-removed",
        lambda s: _get(s).update(security=[{"Other": []}]),
        "security-removed",
        "listUnits.security",
        CLIENTS,
    ),
    (
        "security-opened",
        lambda s: _get(s).update(security=[*AUTH, {}]),
        "security-added",
        "listUnits.security",
        OK,
    ),
    (
        "security-scheme-changed",
        lambda s: s["components"]["securitySchemes"]["AccessToken"].update(name="X-Token"),
        "security-scheme-changed",
        "AccessToken",
        CLIENTS,
    ),
    (
        "request-body-media-removed",
        lambda s: _post(s)["requestBody"].update(
            content={"text/csv": {"schema": {"type": "string"}}}
        ),
        "media-type-removed",
        "createUnit.requestBody",
        CLIENTS,
    ),
]


@pytest.mark.parametrize(
    ("edit", "kind", "item", "classification"),
    [pytest.param(*case[1:], id=case[0]) for case in HTTP_CASES],
)
def test_http_kind(
    api_diff: ModuleType, edit: Edit, kind: str, item: str, classification: str
) -> None:
    old = base_spec()
    new = copy.deepcopy(old)
    edit(new)
    changes = api_diff.diff_http(old, new)
    found = [(c.kind, c.item, c.classification) for c in changes]
    assert (kind, item, classification) in found, found
    # the unchanged spec reports nothing
    assert api_diff.diff_http(old, copy.deepcopy(old)) == []


def test_shared_component_is_reported_once_per_direction(api_diff: ModuleType) -> None:
    old = base_spec()
    old["paths"]["/units/{id}/"] = {"get": copy.deepcopy(_get(old)) | {"operationId": "getUnit"}}
    new = copy.deepcopy(old)
    _schemas(new)["Unit"]["properties"].pop("note")
    changes = api_diff.diff_http(old, new)
    assert [(c.kind, c.item) for c in changes] == [("field-removed", "Unit.note")]


# ---------------------------------------------------------------------------- Python levels

MODEL = """
from attrs import define as _attrs_define
from typing import Literal
from ..types import UNSET, Unset

Kind = Literal["image", "text"]


@_attrs_define
class Unit:
    id: int
    note: str | Unset = UNSET
"""
ENDPOINT = """
def sync_detailed(*, client, page: int | Unset = UNSET) -> Response[Unit]: ...
def sync(*, client, page: int | Unset = UNSET) -> Unit | None: ...
"""


def _package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


GENERATED_CASES: list[tuple[str, dict[str, str], str, str, str]] = [
    (
        "model-field-removed",
        {"models/unit.py": MODEL.replace("    note: str | Unset = UNSET\n", "")},
        "field-removed",
        "models.Unit.note",
        CLIENTS,
    ),
    (
        "model-required-field-added",
        {"models/unit.py": MODEL.replace("    id: int\n", "    id: int\n    size: int\n")},
        "field-added",
        "models.Unit.size",
        CLIENTS,
    ),
    (
        "new-model-with-required-field",  # nobody can hold code built without that field
        {"models/size.py": MODEL.replace("class Unit:", "class Size:")},
        "field-added",
        "models.Size.id",
        OK,
    ),
    (
        "model-optional-field-added",
        {"models/unit.py": MODEL + "    size: int | Unset = UNSET\n"},
        "field-added",
        "models.Unit.size",
        OK,
    ),
    (
        "model-field-retyped",
        {"models/unit.py": MODEL.replace("id: int", "id: str")},
        "field-type-changed",
        "models.Unit.id",
        CLIENTS,
    ),
    (
        "model-field-made-optional",
        {"models/unit.py": MODEL.replace("id: int", "id: int | Unset = UNSET")},
        "field-type-changed",
        "models.Unit.id",
        CLIENTS,
    ),
    (
        "literal-enum-value-added",
        {"models/unit.py": MODEL.replace('"text"]', '"text", "pcd"]')},
        "enum-value-added",
        "models.Kind",
        OK,
    ),
    (
        "literal-enum-value-removed",
        {"models/unit.py": MODEL.replace(', "text"]', "]")},
        "enum-value-removed",
        "models.Kind",
        CLIENTS,
    ),
    ("model-removed", {"models/unit.py": "X = 1\n"}, "class-removed", "models.Unit", CLIENTS),
    (
        "endpoint-param-removed",
        {"api/units/list_units.py": ENDPOINT.replace(", page: int | Unset = UNSET", "")},
        "parameter-removed",
        "api.units.list_units",
        CLIENTS,
    ),
    (
        "endpoint-optional-param-added",
        {"api/units/list_units.py": ENDPOINT.replace("UNSET)", "UNSET, q: str | Unset = UNSET)")},
        "parameter-added",
        "api.units.list_units",
        OK,
    ),
    (
        "endpoint-required-param-added",
        {"api/units/list_units.py": ENDPOINT.replace("*, client", "*, client, tenant: str")},
        "parameter-added",
        "api.units.list_units",
        CLIENTS,
    ),
    (
        "endpoint-return-changed",
        {"api/units/list_units.py": ENDPOINT.replace("Unit | None", "list[Unit] | None")},
        "return-type-changed",
        "api.units.list_units",
        CLIENTS,
    ),
    (
        "endpoint-module-added",
        {"api/units/get_unit.py": ENDPOINT},
        "module-added",
        "api.units.get_unit",
        OK,
    ),
    (
        "endpoint-module-removed",
        {"api/units/list_units.py": None},
        "module-removed",  # type: ignore[dict-item]
        "api.units.list_units",
        CLIENTS,
    ),
]


@pytest.mark.parametrize(
    ("files", "kind", "item", "classification"),
    [pytest.param(*case[1:], id=case[0]) for case in GENERATED_CASES],
)
def test_generated_kind(
    api_diff: ModuleType,
    tmp_path: Path,
    files: dict[str, str | None],
    kind: str,
    item: str,
    classification: str,
) -> None:
    base = {
        "__init__.py": "",
        "models/__init__.py": "",
        "models/unit.py": MODEL,
        "api/__init__.py": "",
        "api/units/__init__.py": "",
        "api/units/list_units.py": ENDPOINT,
    }
    old = _package(tmp_path / "old", base)
    head = dict(base)
    for rel, text in files.items():
        if text is None:
            head.pop(rel)
        else:
            head[rel] = text
    new = _package(tmp_path / "new", head)
    changes = api_diff.diff_surfaces(
        "generated", api_diff.generated_surface(old), api_diff.generated_surface(new)
    )
    found = [(c.kind, c.item, c.classification) for c in changes]
    assert (kind, item, classification) in found, found


PUBLIC = """
__all__ = ["Old", "SynapseClient", "connect"]


def connect(url: str, token: str | None = None, *, timeout: float = 5.0) -> "SynapseClient": ...


class Old: ...


class ClientApi:
    def get_unit(self, unit_id: int) -> "Flow[Unit]": ...
    def list_units(self, *, page: int | None = None) -> "Flow[list[Unit]]": ...
    get_data_unit = get_unit.renamed_from("get_data_unit")


class SynapseClient(ClientApi):
    def close(self) -> None: ...

"""
CLIENT_INIT = '__all__ = ["SynapseClient"]\nfrom .. import SynapseClient\n'

PUBLIC_CASES: list[tuple[str, Callable[[str], str], str, str, str]] = [
    (
        "export-removed",
        lambda s: s.replace('"Old", ', ""),
        "class-removed",
        "synapse_ext.Old",
        CLIENTS,
    ),
    (
        "export-added",
        lambda s: s.replace('"Old", ', '"Old", "New", ') + "\nclass New: ...\n",
        "class-added",
        "synapse_ext.New",
        OK,
    ),
    (
        "export-became-deprecated-alias",
        lambda s: s.replace('"Old", ', "") + '\n_DEPRECATED = {"Old": (SynapseClient, "Client")}\n',
        "kind-changed",
        "synapse_ext.Old",
        OK,
    ),
    (
        "param-removed",
        lambda s: s.replace(", token: str | None = None", ""),
        "parameter-was-removed",
        "synapse_ext.connect",
        CLIENTS,
    ),
    (
        "param-made-keyword-only",
        lambda s: s.replace("url: str, token", "url: str, *, token").replace(
            ", *, timeout", ", timeout"
        ),
        "parameter-kind-was-changed",
        "synapse_ext.connect",
        CLIENTS,
    ),
    (
        "required-param-added",
        lambda s: s.replace("timeout: float = 5.0", "timeout: float = 5.0, tenant: str"),
        "parameter-was-added-as-required",
        "synapse_ext.connect",
        CLIENTS,
    ),
    (
        "optional-param-added",
        lambda s: s.replace(
            "timeout: float = 5.0", "timeout: float = 5.0, tenant: str | None = None"
        ),
        "parameter-added",
        "synapse_ext.connect",
        OK,
    ),
    (
        "clientapi-flow-removed-is-a-client-method",
        lambda s: s.replace(
            '    def list_units(self, *, page: int | None = None) -> "Flow[list[Unit]]": ...\n', ""
        ),
        "function-removed",
        "synapse_ext.SynapseClient.list_units",
        CLIENTS,
    ),
    (
        "clientapi-flow-param-removed",
        lambda s: s.replace("*, page: int | None = None", ""),
        "parameter-was-removed",
        "synapse_ext.SynapseClient.list_units",
        CLIENTS,
    ),
    (
        "clientapi-flow-return-shown-as-client-return",
        lambda s: s.replace('"Flow[Unit]"', '"Flow[UnitV2]"'),
        "return-type-changed",
        "synapse_ext.SynapseClient.get_unit",
        OK,
    ),
    (
        "deprecated-method-alias-removed",
        lambda s: s.replace('    get_data_unit = get_unit.renamed_from("get_data_unit")\n', ""),
        "function-removed",
        "synapse_ext.SynapseClient.get_data_unit",
        CLIENTS,
    ),
]


@pytest.mark.parametrize(
    ("edit", "kind", "item", "classification"),
    [pytest.param(*case[1:], id=case[0]) for case in PUBLIC_CASES],
)
def test_public_kind(
    api_diff: ModuleType,
    tmp_path: Path,
    edit: Callable[[str], str],
    kind: str,
    item: str,
    classification: str,
) -> None:
    old = _package(
        tmp_path / "old",
        {"synapse_ext/__init__.py": PUBLIC, "synapse_ext/client/__init__.py": CLIENT_INIT},
    )
    new = _package(
        tmp_path / "new",
        {"synapse_ext/__init__.py": edit(PUBLIC), "synapse_ext/client/__init__.py": CLIENT_INIT},
    )
    changes = api_diff.diff_public(old, new)
    found = [(c.kind, c.item, c.classification) for c in changes]
    assert (kind, item, classification) in found, found
    assert api_diff.diff_public(old, old) == []


def test_announcement_rule(api_diff: ModuleType, tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        "# Changelog\n\n## Unreleased\n\n### Breaking\n\n- `SynapseClient.get_unit` removed\n"
        "\n### Added\n\n- `list_units` paging\n\n## 0.1.0\n\n### Breaking\n\n- `connect` gone\n",
        encoding="utf-8",
    )
    changes = [
        api_diff._change(
            "public", "function-removed", "synapse_ext.SynapseClient.get_unit", "", CLIENTS
        ),
        api_diff._change(
            "public", "function-removed", "synapse_ext.SynapseClient.list_units", "", CLIENTS
        ),
        api_diff._change("public", "function-removed", "synapse_ext.connect", "", CLIENTS),
        api_diff._change("generated", "parameter-removed", "api.units.get_unit.sync", "", CLIENTS),
        api_diff._change("public", "function-removed", "synapse_ext.get_units", "", CLIENTS),
    ]
    api_diff.mark_announced(changes, api_diff.announced_names(changelog))
    # only ### Breaking of ## Unreleased counts; whole words only
    assert [c.announced for c in changes] == [True, False, False, True, False]


def test_releases_after_the_base_version_count(api_diff: ModuleType, tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        "# Changelog\n\n## Unreleased\n\n### Breaking\n\n## 0.2.0\n\n### Breaking\n\n"
        "- `get_data_unit` renamed\n\n## 0.1.0\n\n### Breaking\n\n- `connect` gone\n",
        encoding="utf-8",
    )
    assert api_diff.announced_names(changelog) == []
    assert api_diff.announced_names(changelog, since=(0, 2, 0)) == []
    assert api_diff.announced_names(changelog, since=(0, 1, 0)) == ["- `get_data_unit` renamed"]
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "0.1.0"\n', encoding="utf-8")
    assert api_diff.project_version(tmp_path) == (0, 1, 0)
