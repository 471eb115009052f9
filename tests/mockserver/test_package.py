"""Package-level promises: public API, layering, plugin, fixtures, contract checking."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

import mockserver
from mockserver import Backend, ContractViolation, MockSynapse, mock_synapse

PACKAGE = Path(mockserver.__file__).parent


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_api_is_exported() -> None:
    assert sorted(mockserver.__all__, key=_isort_key) == mockserver.__all__
    for name in mockserver.__all__:
        assert getattr(mockserver, name) is not None
    first_tenant = mockserver.default_fixtures()["tenants"][0]
    assert first_tenant["code"] == mockserver.DEFAULT_TENANT
    assert mockserver.DEFAULT_TOKEN in first_tenant["tokens"]


def _internal_imports() -> dict[str, set[str]]:
    """mockserver module -> the mockserver modules it imports (TYPE_CHECKING ones included)."""
    graph: dict[str, set[str]] = {}
    for source in PACKAGE.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "mockserver":
                deps.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mockserver."):
                deps.add((node.module or "").split(".")[1])
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("mockserver.")]
                deps.update(name.split(".")[1] for name in names)
        graph[source.stem] = deps - {source.stem}
    return graph


def test_modules_import_each_other_without_cycles() -> None:
    graph = _internal_imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError(
                "import cycle: " + " -> ".join([*path[path.index(module) :], module])
            )
        if module in done or module not in graph:
            return
        for dep in sorted(graph[module]):
            visit(dep, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert "control" not in graph["routes"] and "mock" not in graph["server"]


def test_one_entry_point_and_deprecated_aliases(tmp_path: Path) -> None:
    bad_mode: Any = "grpc"
    with pytest.raises(ValueError, match="mode must be one of"), mock_synapse(mode=bad_mode):
        pass
    with pytest.raises(ValueError, match="server"), mock_synapse(port=8123):
        pass
    with pytest.warns(DeprecationWarning, match="mock_synapse_server"):
        served = mockserver.mock_synapse_server("https://example.test/api", token="t")
    with served as fake:
        assert fake.mode == "server" and fake.base_url.endswith("/api")
        response = httpx.get(f"{fake.base_url}/data_collections/", headers=fake.headers())
        assert response.status_code == 200
        assert response.json()["results"][0]["id"] == 1
        assert httpx.get(f"{fake.base_url[:-4]}/data_collections/").status_code == 404
    backend = Backend(storage=tmp_path / "store")
    try:
        with pytest.warns(DeprecationWarning, match="serve_in_thread"):
            served_url = mockserver.serve_in_thread(backend, token="t")
        with served_url as url:
            assert url.startswith("http://127.0.0.1:")
            headers = {"Synapse-Access-Token": "Token t"}
            assert httpx.get(f"{url}/data_collections/", headers=headers).status_code == 200
        assert (tmp_path / "store" / "files").is_dir()  # a given backend is not closed
    finally:
        backend.close()


def test_state_is_the_backend_snapshot_plus_the_call_log() -> None:
    with mock_synapse(patch=False) as fake, fake.client() as client:
        client.post("/data_files/", files={"file": ("a.jpg", b"abc")})
        fake.faults.script("listDataCollections", status=503)
        assert client.get("/data_collections/").status_code == 503
        state = fake.state()
        assert state["counts"]["data_files"] == 1
        assert state["operation_calls"] == {"createDataFile": 1, "listDataCollections": 1}
        assert fake.call_count("listDataCollections") == 1
        assert fake.handled_count("listDataCollections") == 0
        assert client.get("/_mock/state").json() == fake.state()
        call = fake.calls[0]
        assert call.handled and call.status == 201 and call.body_bytes > 3
        assert call.header(
            "content-type",
        ).startswith("multipart/form-data")
        assert call.header("synapse-access-token") is None  # credentials never logged
        assert not hasattr(fake.backend, "operation_calls")


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
    with (
        mock_synapse(base_url="https://example.test/api", patch=False) as fake,
        fake.client() as client,
    ):
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


def test_one_streaming_flag_on_the_route_rows() -> None:
    from mockserver.routes import ROUTES

    assert {r.operation_id for r in ROUTES if not r.hash_parts} == {
        "createChunkedUpload",
        "uploadChunk",
    }
    for transport in ("respx_transport.py", "asgi.py"):
        source = (PACKAGE / transport).read_text(encoding="utf-8")
        assert "hash_files=dispatcher.hash_parts(" in source.replace(
            "self.dispatcher", "dispatcher"
        )
        assert "uploadChunk" not in source and "createChunkedUpload" not in source


def test_nothing_starts_at_import_and_hashing_workers_end_with_the_backend() -> None:
    code = (
        "import threading, mockserver, mockserver.hashing, mockserver.state, mockserver.mock\n"
        "print(threading.active_count())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"

    def hashing_threads() -> int:
        return sum(t.name.startswith("synapse-mock-md5") for t in threading.enumerate())

    before = hashing_threads()
    with mock_synapse(patch=False) as fake, fake.client() as client:
        assert hashing_threads() == before  # started by the first chunked upload
        put = client.put(
            "/chunked_upload/",
            files={"file": ("file", b"0123456789")},
            data={"filename": "a.bin"},
            headers={"Content-Range": "bytes 0-9/20"},
        )
        assert put.status_code == 200
        assert hashing_threads() > before
    assert hashing_threads() == before
