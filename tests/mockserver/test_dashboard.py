"""The dashboard's HTML (``GET /_mock/``, unit pages, ``dump_dashboard``) without a browser."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import MockSynapse, default_fixtures, mock_synapse
from mockserver.dashboard import CallFilter, render_unit
from synapse_ext import SynapseClient, organize, upload_data_collection

TOKEN = "tok-7f3c-dashboard-secret"
DATASET = Path(__file__).resolve().parents[2] / "examples" / "dataset"


def summary_counts(page: str) -> dict[str, int]:
    """The page's top counts (its first ``<dl class="summary">``)."""
    first = page.split('<dl class="summary">', 1)[1].split("</dl>", 1)[0]
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', first)}


def assert_no_secret(page: str, fake: MockSynapse) -> None:
    for word in fake.dispatcher.redacted():
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", page), word
    assert TOKEN not in page
    assert "X-Amz-Signature" not in page and "signature=" not in page
    assert "python-httpx" not in page  # header values are never rendered


@pytest.fixture
def uploaded() -> Iterator[MockSynapse]:
    fixtures = default_fixtures()
    fixtures["data_collections"][0]["name"] = "<b>Demo</b> & images"
    with mock_synapse(validate=True, token=TOKEN, fixtures=fixtures) as fake:
        fake.sleep = lambda seconds: None
        with SynapseClient(fake.base_url, TOKEN, transport=fake.transport) as client:
            groups = organize(DATASET, client.get_collection(1))
            result = upload_data_collection(client, 1, groups, project_id=1, journal=None)
            assert result.success, result.failures
        yield fake


def test_counts_match_the_state_and_nothing_secret_is_shown(uploaded: MockSynapse) -> None:
    with uploaded.client() as client:
        response = client.get("/_mock/")
        state = client.get("/_mock/state").json()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    counts = summary_counts(page)
    for name in ("data_collections", "data_files", "data_units", "tasks", "presigned_uploads"):
        assert counts[name] == state["counts"][name], name
    assert counts["objects"] == len(state["storage"]["objects"]) > 0
    assert counts["calls"] == len(uploaded.calls)
    collection = page.split('data-collection="1"', 1)[1].split("</article>", 1)[0]
    per = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', collection)}
    assert per == {"data_files": 8, "data_units": 5, "tasks": 5}
    assert_no_secret(page, uploaded)
    assert "&lt;b&gt;Demo&lt;/b&gt; &amp; images" in page and "<b>Demo</b>" not in page


def test_tables_list_the_newest_first_and_units_link_to_their_page(
    uploaded: MockSynapse,
) -> None:
    page = uploaded.dashboard()
    units = page.split('data-table="data_units"', 1)[1].split("</table>", 1)[0]
    ids = [int(i) for i in re.findall(r'href="/_mock/units/(\d+)"', units)]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5
    with uploaded.client() as client:
        unit = client.get(f"/_mock/units/{ids[0]}")
        assert client.get("/_mock/units/999").status_code == 404
        assert client.get("/_mock/units/abc").status_code == 404
    assert unit.status_code == 200
    assert 'data-table="unit_files"' in unit.text and "street_005.png" in unit.text
    assert "origin_file_stem" in unit.text  # the meta
    assert_no_secret(unit.text, uploaded)


def test_meta_is_escaped_and_url_queries_are_masked() -> None:
    with mock_synapse() as fake:
        state = fake.state()
        redact = fake.dispatcher.redacted()
    meta = {"x": "<script>alert(1)</script>", "u": "https://h/o?X-Amz-Signature=s", "t": "demo"}
    state["data_units"] = [
        {"id": 1, "data_collection": 1, "files": {}, "groups": [], "checksum": "c", "meta": meta}
    ]
    page = render_unit(state, 1, redact=redact)
    assert page is not None
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "X-Amz-Signature" not in page and "https://h/o?•••" in page
    assert '"demo"' not in page  # a tenant code, masked


def test_call_filter_and_call_log_fields() -> None:
    with mock_synapse(validate=True, latency_ms=250) as fake:
        fake.sleep = lambda seconds: None
        with fake.client() as client:
            client.get("/data_collections/")
            client.get("/data_collections/999/")
            with fake.expect_invalid_requests():
                client.get("/data_units/", params={"data_collection": "x"})
            client.get("/nowhere/")
            page = client.get("/_mock/", params={"status": "4xx"}).text
            by_path = client.get("/_mock/", params={"path": "999"}).text
    ok, missing, invalid, unknown = fake.calls
    assert ok.contract == "passed" and ok.response_bytes and ok.duration_ms >= 250
    assert missing.status == 404 and missing.contract == "passed"
    assert invalid.contract == "tolerated"
    assert unknown.contract == "unchecked" and unknown.response_bytes
    calls = page.split('data-table="calls"', 1)[1]
    assert "/data_collections/999/" in calls and ">200<" not in calls
    assert 'data-calls-matching="1"' in by_path
    assert CallFilter(status="none").matches(ok) is False
    assert CallFilter(status="200").matches(ok) and CallFilter(status="2xx").matches(ok)
    assert not CallFilter(path="units").matches(ok)


def test_faults_latency_and_controls_use_the_control_routes_under_the_base_path() -> None:
    with mock_synapse(base_url="https://x.test/api") as fake, fake.client() as client:
        client.post("/_mock/faults", json={"operation": "createDataUnits", "status": 503})
        client.post("/_mock/faults", json={"latency_ms": 40})
        page = client.get("/_mock/").text
    assert 'action="/api/_mock/reset"' in page and 'action="/api/_mock/faults"' in page
    assert 'data-method="DELETE"' in page and "<script>" in page
    faults = page.split('id="faults"', 1)[1]
    assert "createDataUnits" in faults and 'data-latency-ms="40"' in faults


def test_dump_dashboard_writes_a_static_copy(uploaded: MockSynapse, tmp_path: Path) -> None:
    path = uploaded.dump_dashboard(tmp_path / "artefacts" / "dashboard.html")
    page = path.read_text(encoding="utf-8")
    assert summary_counts(page)["data_units"] == 5
    assert "<script>" not in page and "<form" not in page and 'data-live="0"' in page
    assert_no_secret(page, uploaded)


def test_the_fixture_dumps_the_dashboard_of_failed_tests(tmp_path: Path) -> None:
    (tmp_path / "test_it.py").write_text(
        "def test_fails(synapse_mock):\n"
        "    synapse_mock.client().get('/data_collections/')\n"
        "    assert False\n\n"
        "def test_passes(synapse_mock):\n"
        "    pass\n",
        encoding="utf-8",
    )
    out = tmp_path / "dashboards"
    options = ["-q", "-p", "no:cacheprovider", "-n", "0", f"--mock-dashboard-dir={out}"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "test_it.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == ["test_it.py_test_fails.html"]
    page = (out / written[0]).read_text(encoding="utf-8")
    assert summary_counts(page)["calls"] == 1


def _call_rows(page: str) -> list[list[str]]:
    """The call log's rows: each a list of its cells' text."""
    table = page.split('data-table="calls"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", cell) for cell in row] for row in cells if row]


def test_storage_puts_through_the_pool_show_their_size_and_status() -> None:
    """Against a server-mode fake the client's storage PUTs go through its urllib3 pool; the
    call log and the page give each PUT's status and the bytes of the file it carried."""
    sizes = {p.name: p.stat().st_size for p in DATASET.rglob("*") if p.is_file()}
    with mock_synapse(mode="server", validate=True, token=TOKEN) as fake:
        with SynapseClient(fake.base_url, TOKEN) as client:
            groups = organize(DATASET, client.get_collection(1))
            result = upload_data_collection(client, 1, groups, project_id=1, journal=None)
        assert result.success, result.failures
        puts = [c for c in fake.calls if c.operation_id == "storagePutObject"]
        page = fake.dashboard()
        with fake.client() as control:
            served = control.get("/_mock/", params={"path": "uploads"}).text
    assert len(puts) == 8
    for put in puts:
        assert (put.header("user-agent") or "").startswith("python-urllib3/")  # the pool
        name = put.path.rsplit("/", 1)[1]
        assert put.status == 200 and put.body_bytes == sizes[name] == int(
            put.header("content-length") or 0
        )
        assert put.response_bytes == 0 and put.contract == "unchecked" and not put.fault
    rows = {row[2].rsplit("/", 1)[1]: row for row in _call_rows(page) if row[1] == "PUT"}
    assert len(rows) == 8
    png = rows["street_001.png"]  # #, method, path, operation, status, fault, duration, ...
    assert png[3:6] == ["storagePutObject", "200", ""]
    assert png[7:] == ["unchecked", f"{sizes['street_001.png'] / 1024:.1f} KiB", "0 B"]
    assert rows["street_001.json"][8] == f"{sizes['street_001.json']} B"
    assert all("/uploads/•••/" in row[2] and "?" not in row[2] for row in rows.values())
    assert 'data-calls-matching="8"' in served  # the filter by path, over HTTP
    assert_no_secret(page, fake)
    assert_no_secret(served, fake)


def test_a_calls_duration_counts_from_its_arrival_so_a_body_transfer_is_in_it() -> None:
    now = [100.0]

    def body() -> Iterator[bytes]:
        for _ in range(3):
            now[0] += 0.5  # each piece of the body takes half a second to arrive
            yield b"x" * 1000

    with mock_synapse() as fake, fake.client() as client:
        fake.dispatcher.timer = lambda: now[0]
        client.put(f"{fake.storage_url}/synapse-mock/some/key.bin", content=body())
    (put,) = fake.calls
    assert put.method == "PUT" and put.body_bytes == 3000
    assert put.duration_ms == 1500.0
