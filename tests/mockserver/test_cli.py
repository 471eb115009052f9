"""The ``synapse-mock serve`` command as a user runs it."""

from __future__ import annotations

import signal

import httpx
import pytest

from .servers import cli_server, console_script, python_m

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_console_script_serves_and_stops_cleanly(sig: signal.Signals) -> None:
    command = [console_script("synapse-mock"), "serve", "--port", "0", "--token", "t"]
    with cli_server(command) as (process, url):
        assert url.startswith("http://127.0.0.1:")
        ok = httpx.get(f"{url}/data_collections/", headers={"Synapse-Access-Token": "Token t"})
        assert ok.status_code == 200 and ok.json()["results"][0]["name"] == "Demo images"
        denied = httpx.get(f"{url}/data_collections/")
        assert denied.status_code == 401
        process.send_signal(sig)
        assert process.wait(timeout=20) == 0


def test_python_m_with_fixtures_and_tenant(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    fixtures = folder / "fixtures.json"
    fixtures.write_text(
        '{"tenants": [{"code": "acme", "tokens": []}],'
        ' "data_collections": [{"id": 7, "tenant": "acme", "name": "Acme",'
        ' "file_specifications": [{"name": "doc", "file_type": "text", "is_required": true}]}]}'
    )
    storage = folder / "store"
    command = python_m(
        "serve",
        "--port",
        "0",
        "--token",
        "k",
        "--tenant",
        "acme",
        "--fixtures",
        str(fixtures),
        "--storage",
        str(storage),
    )
    with cli_server(command) as (process, url):
        headers = {"Synapse-Access-Token": "Token k", "Synapse-Tenant": "Token acme"}
        body = httpx.get(
            f"{url}/data_collections/7/?expand=file_specifications", headers=headers
        ).json()
        assert body["file_specifications"][0]["name"] == "doc"
        upload = httpx.post(
            f"{url}/data_files/", headers=headers, files={"file": ("x.txt", b"hello")}
        )
        assert upload.status_code == 201
        assert any(p.is_file() for p in storage.rglob("*"))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0


def test_served_v1_and_v2_share_one_state_for_a_plain_http_client() -> None:
    """The issue's end-to-end check with nothing of this project on the client side."""
    import hashlib

    part = 5 << 20
    content = bytes(range(256)) * ((2 * part + 12345) // 256)  # three parts: 5 + 5 MiB + rest
    image = b"\x89PNG small"
    command = [
        console_script("synapse-mock"),
        "serve",
        "--port",
        "0",
        "--token",
        "T",
        "--part-size",
        "5MiB",
        "--multipart-threshold",
        "8MiB",
    ]
    with cli_server(command) as (process, url), httpx.Client(base_url=url, timeout=60) as api:
        v2 = {"SYNAPSE-ACCESS-TOKEN": "T"}
        announced = api.post(
            "/v2/data-collections/1/upload-urls/",
            headers=v2,
            json={
                "files": [
                    {"filename": "big.png", "size": len(content)},
                    {"filename": "small.json", "size": len(image)},
                ]
            },
        )
        assert announced.status_code == 200, announced.text
        big, small = announced.json()["data"]["files"]
        assert small["presigned_url"] and big["multipart"]["part_size"] == part
        with httpx.Client(timeout=60) as storage:  # no Synapse headers towards the storage
            parts = []
            for entry in big["multipart"]["parts"]:
                n = entry["part_number"]
                reply = storage.put(
                    entry["presigned_url"], content=content[(n - 1) * part : n * part]
                )
                assert reply.status_code == 200, reply.text
                parts.append({"part_number": n, "etag": reply.headers["etag"]})
            assert storage.put(small["presigned_url"], content=image).status_code == 200
            digest = {
                k: hashlib.md5(v).hexdigest() for k, v in (("big", content), ("small", image))
            }
            final = api.post(
                "/v2/data-collections/1/finalize-upload/",
                headers=v2,
                json={
                    "files": [
                        {
                            "file_key": big["file_key"],
                            "checksum": digest["big"],
                            "size": len(content),
                            "multipart": {
                                "upload_id": big["multipart"]["upload_id"],
                                "parts": parts,
                            },
                        },
                        {
                            "file_key": small["file_key"],
                            "checksum": digest["small"],
                            "size": len(image),
                        },
                    ]
                },
            ).json()["data"]
            assert final["failed_count"] == 0, final
            units = api.post(
                "/v2/data-units/bulk-create/",
                headers=v2,
                json={
                    "data_collection": 1,
                    "units": [
                        {
                            "files": {
                                "image": {"checksum": digest["big"]},
                                "annotation": {"checksum": digest["small"]},
                            }
                        }
                    ],
                },
            )
            assert units.status_code == 201, units.text
            unit_id = units.json()["data"]["results"][0]["data_unit_id"]
            v1 = api.get(f"/data_units/{unit_id}/", headers={"Synapse-Access-Token": "Token T"})
            assert v1.status_code == 200
            files = v1.json()["files"]
            assert storage.get(files["image"]["url"]).content == content
            assert storage.get(files["annotation"]["url"]).content == image
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
