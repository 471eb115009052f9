"""Package-level promises: public API, layering, plugin, fixtures, contract checking."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import httpx
import pytest

import mockserver
from mockserver import Backend, ContractViolation, MockSynapse, mock_synapse

PACKAGE = Path(mockserver.__file__).parent


def test_public_api_is_exported() -> None:
    assert sorted(mockserver.__all__) == mockserver.__all__
    for name in mockserver.__all__:
        assert getattr(mockserver, name) is not None


def test_mockserver_imports_neither_client_package() -> None:
    for source in PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"synapse_client", "synapse_ext", "generated"}, source


def test_plugin_fixture_serves_and_validates(synapse_mock: MockSynapse) -> None:
    with synapse_mock.client() as client:
        assert client.get("/data_collections/").status_code == 200
        assert synapse_mock.dispatcher.validator is not None


def test_invalid_request_fails_loudly_naming_operation_and_field() -> None:
    with mock_synapse(validate=True, patch=False) as fake, fake.client() as client:
        with pytest.raises(ContractViolation) as info:
            client.post("/data_units/", json={"data_collection": "one", "files": {}})
        message = str(info.value)
        assert "createDataUnits" in message and "request" in message
        assert fake.contract_violations and fake.backend.counts()["data_units"] == 0
        with pytest.raises(ContractViolation, match="createTasks"):
            client.post("/tasks/", json={"project": 1, "data": []})


def test_response_violation_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver import serializers

    monkeypatch.setattr(serializers, "task_json", lambda task: {"id": "oops"})
    monkeypatch.setattr("mockserver.handlers.task_json", lambda task: {"id": "oops"})
    with mock_synapse(validate=True, patch=False) as fake, fake.client() as client:
        client.post("/data_files/", files={"file": ("a.jpg", b"x")})
        unit = {
            "data_collection": 1,
            "files": {"image": {"checksum": fake.backend.data_files[1].checksum}},
        }
        client.post("/data_units/", json=unit)
        with pytest.raises(ContractViolation) as info:
            client.post("/tasks/", json={"project": 1, "data": [{"data_unit": 1}]})
        assert "createTasks: response (status 201)" in str(info.value)
        assert "project" in str(info.value) or "id" in str(info.value)


def test_backend_ids_reset_and_fixture_file(tmp_path: Path) -> None:
    fixtures = {
        "tenants": [{"code": "t1", "tokens": ["tok"]}],
        "data_collections": [
            {"tenant": "t1", "name": "A", "file_specifications": [{"name": "x"}]},
            {"tenant": "t1", "name": "B"},
        ],
    }
    path = tmp_path / "f.json"
    path.write_text(json.dumps(fixtures))
    backend = Backend(mockserver.load_fixtures(path), storage=tmp_path / "store")
    try:
        assert sorted(backend.collections) == [1, 2]
        assert backend.authenticate("tok", None) == "t1"
        backend.add_token("extra", "t1", keep=True)
        backend.reset()
        assert backend.authenticate("extra", "t1") == "t1"
        assert (tmp_path / "store" / "files").is_dir()
    finally:
        backend.close()
    assert (tmp_path / "store").exists()  # a given storage folder is never deleted


def test_default_fixtures_shape() -> None:
    data = mockserver.default_fixtures()
    specs = {s["name"]: s for s in data["data_collections"][0]["file_specifications"]}
    assert specs["image"]["extensions"] == ["jpg", "jpeg", "png"] and specs["image"]["is_required"]
    assert {t["code"] for t in data["tenants"]} == {"demo", "other"}


def test_base_url_with_path_prefix() -> None:
    with mock_synapse("https://example.test/api", patch=False) as fake, fake.client() as client:
        body = client.get("/data_collections/", params={"page_size": 1}).json()
        assert body["next"].startswith("https://example.test/api/data_collections/?")
        unknown = httpx.Client(transport=fake.transport).get("https://example.test/api/zzz/")
        assert unknown.status_code == 404


MALFORMED = [
    (
        "POST",
        "/data_units/",
        {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}},
    ),
    (
        "POST",
        "/data_units/",
        {"content": b'{"data_collection": 1e400}', "headers": {"content-type": "application/json"}},
    ),
    ("POST", "/data_units/", {"json": {"data_collection": 10**40, "files": []}}),
    ("POST", "/data_units/", {"json": [1, "x", None]}),
    (
        "POST",
        "/data_units/",
        {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
    ),
    ("POST", "/tasks/", {"json": {"project": True, "data": [1]}}),
    ("POST", "/data_files/", {"content": b"raw", "headers": {"content-type": "text/plain"}}),
    ("PUT", "/chunked_upload/", {"json": {}}),
    (
        "PUT",
        "/chunked_upload/",
        {"content": b"--x--", "headers": {"content-type": "multipart/form-data"}},
    ),
    ("GET", "/data_units/99999999999999999999999999/", {}),
    ("GET", "/data_units/?page=99999999999999999999&page_size=-5", {}),
    ("GET", "/_storage/99999999999999999999/x?expires=1&signature=1", {}),
    ("POST", "/_mock/faults", {"content": b"nope"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), MALFORMED)
def test_malformed_input_gets_a_clear_4xx(
    method: str, path: str, kwargs: dict[str, object]
) -> None:
    with mock_synapse(patch=False) as fake, fake.client() as client:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert 400 <= response.status_code < 500, response.text
        body = response.json()
        assert body if isinstance(body, list) else (body.get("detail") or body)
