# ruff: noqa: PTH202, RET503, RET504
"""Every example of the product page (DataCollectionClientMixin), as written.

Only the imports changed (``synapse_sdk`` -> ``synapse_ext``), temporary files stand in for
``/path/to/...`` and ``/data/...``, and the fake backend (``mock_synapse(token="your-token")``)
has a collection 123 like the page uses. Known differences are in docs/seed-compat.md.

In-process (respx, patching httpx) only: the page's code names its server
(``https://api.synapse.sh``), which only a patched transport can answer; the clients' tests
run over real HTTP as well (test_clients_mock.py, test_retry.py, ...).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver import default_fixtures, mock_synapse
from synapse_ext import BackendClient

pytestmark = pytest.mark.slow


def _fixtures() -> dict[str, Any]:
    data = default_fixtures()
    first = data["data_collections"][0]
    extra = copy.deepcopy(first)
    extra.update(id=123, name="Page collection", description="The product page's collection")
    data["data_collections"].append(extra)
    return data


@pytest.fixture
def synapse() -> Iterator[Any]:
    with mock_synapse(token="your-token", fixtures=_fixtures(), validate=True) as m:
        yield m


@pytest.fixture
def client(synapse: Any) -> BackendClient:
    return BackendClient(base_url="https://api.synapse.sh", api_token="your-token")


def _jpg(path: Path, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff" + seed.to_bytes(4, "big") + os.urandom(64))
    return path


def test_list_data_collection(client: BackendClient, capsys: pytest.CaptureFixture[str]) -> None:
    collections = client.list_data_collection()
    for collection in collections:
        print(f"Collection: {collection['name']} (ID: {collection['id']})")
    assert "(ID: 123)" in capsys.readouterr().out


def test_get_data_collection(client: BackendClient, capsys: pytest.CaptureFixture[str]) -> None:
    collection = client.get_data_collection(123)
    print(f"Collection: {collection['name']}")
    print(f"Description: {collection['description']}")

    # Access file specifications
    file_specs = collection["file_specifications"]
    for spec in file_specs:
        print(f"File type: {spec['name']}, Required: {spec['is_required']}")
    assert "File type: image, Required: True" in capsys.readouterr().out


def test_create_data_file(client: BackendClient, tmp_path: Path) -> None:
    _jpg(tmp_path / "image.jpg", 1)
    (tmp_path / "large_dataset.zip").write_bytes(os.urandom(3 * 1024 * 1024))
    # Regular upload for smaller files
    data_file = client.create_data_file(Path(tmp_path / "image.jpg"))
    print(f"Uploaded file ID: {data_file['id']}")

    # Chunked upload for large files (>50MB recommended)
    large_file = client.create_data_file(
        Path(tmp_path / "large_dataset.zip"), use_chunked_upload=True
    )
    print(f"Large file uploaded: {large_file['id']}")
    assert data_file["id"] != large_file["id"]


def test_upload_data_file(client: BackendClient, tmp_path: Path) -> None:
    _jpg(tmp_path / "image.jpg", 2)
    (tmp_path / "annotation.json").write_text('{"boxes": []}')
    (tmp_path / "metadata.xml").write_text("<meta/>")
    # Organize file data
    organized_file = {
        "files": {
            "image": Path(tmp_path / "image.jpg"),
            "annotation": Path(tmp_path / "annotation.json"),
            "metadata": Path(tmp_path / "metadata.xml"),
        },
        "meta": {
            "origin_file_stem": "sample_001",
            "origin_file_extension": ".jpg",
            "created_at": "2023-10-01T12:00:00Z",
            "batch_id": "batch_001",
        },
    }

    # Upload to collection
    result = client.upload_data_file(
        organized_file=organized_file, collection_id=123, use_chunked_upload=False
    )
    assert set(result["files"]) == {"image", "annotation", "metadata"}
    assert result["data_collection"] == 123


def test_create_data_units_page_literal_ids_fail_clearly(client: BackendClient) -> None:
    # The page's literal example uses made-up ids ('file_id_123'): no such data files exist,
    # so the client refuses with an error naming the difference (see docs/seed-compat.md).
    uploaded_files = [
        {
            "id": 1,
            "file": {"image": "file_id_123", "annotation": "file_id_124"},
            "meta": {"batch": "batch_001"},
        },
        {
            "id": 2,
            "file": {"image": "file_id_125", "annotation": "file_id_126"},
            "meta": {"batch": "batch_001"},
        },
    ]
    with pytest.raises(ValueError, match="not data files uploaded by this client"):
        data_units = client.create_data_units(uploaded_files)
        print(f"Created {len(data_units)} data units")


def test_create_data_units_page_shape_with_real_ids(client: BackendClient, tmp_path: Path) -> None:
    image = client.create_data_file(_jpg(tmp_path / "a.jpg", 3))
    client.get_data_collection(123)
    uploaded_files = [{"id": 1, "file": {"image": image["id"]}, "meta": {"batch": "batch_001"}}]
    data_units = client.create_data_units(uploaded_files)
    print(f"Created {len(data_units)} data units")
    assert data_units[0]["data_collection"] == 123


def test_batch_processing(tmp_path: Path) -> None:
    # One visible collection, so the page's collection-less units are unambiguous.
    fixtures = default_fixtures()
    fixtures["data_collections"] = fixtures["data_collections"][:1]
    with mock_synapse(token="your-token", fixtures=fixtures, validate=True):
        client = BackendClient(base_url="https://api.synapse.sh", api_token="your-token")
        file_paths = [_jpg(tmp_path / "batch1" / f"file{i}.jpg", 10 + i) for i in range(1, 13)]

        # Process files in batches
        batch_size = 10
        total = 0
        for i in range(0, len(file_paths), batch_size):
            batch = file_paths[i : i + batch_size]

            # Upload batch
            uploaded_files = []
            for file_path in batch:
                result = client.create_data_file(file_path)
                uploaded_files.append(
                    {
                        "id": len(uploaded_files) + 1,
                        "file": {"image": result["id"]},
                        "meta": {"batch": f"batch_{i // batch_size}"},
                    }
                )

            # Create data units for batch
            data_units = client.create_data_units(uploaded_files)
            print(f"Processed batch {i // batch_size}: {len(data_units)} data units")
            total += len(data_units)
        assert total == 12


def test_progress_tracking(
    client: BackendClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tqdm import tqdm

    def upload_with_progress(file_paths: list[Path], collection_id: int) -> list[Any]:
        """Upload files with progress tracking."""
        uploaded_files = []

        with tqdm(total=len(file_paths), desc="Uploading files") as pbar:
            for file_path in file_paths:
                try:
                    # Check file size to decide upload method
                    file_size = os.path.getsize(file_path)
                    use_chunked = file_size > 50 * 1024 * 1024  # 50MB

                    # Upload file
                    result = client.create_data_file(file_path, use_chunked_upload=use_chunked)
                    assert result["id"]

                    # Organize for collection
                    organized_file = {
                        "files": {"primary": file_path},
                        "meta": {
                            "origin_file_stem": file_path.stem,
                            "origin_file_extension": file_path.suffix,
                            "file_size": file_size,
                        },
                    }

                    upload_result = client.upload_data_file(
                        organized_file, collection_id, use_chunked_upload=use_chunked
                    )

                    uploaded_files.append(upload_result)
                    pbar.update(1)

                except Exception as e:
                    print(f"Failed to upload {file_path}: {e}")
                    pbar.update(1)
                    continue

        return uploaded_files

    # Usage
    file_paths = [_jpg(tmp_path / f"file_{i}.jpg", 100 + i) for i in range(5)]
    results = upload_with_progress(file_paths, collection_id=123)
    assert len(results) == 5
    assert "Failed" not in capsys.readouterr().out
    assert all(set(r["files"]) == {"image"} for r in results)  # 'primary' -> primary spec


def test_data_validation(
    client: BackendClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def validate_files_against_collection(file_paths: list[Path], collection_id: int) -> list[Any]:
        """Validate files against collection specifications."""
        collection = client.get_data_collection(collection_id)
        file_specs = collection["file_specifications"]

        # Create specification lookup
        required_types = {spec["name"] for spec in file_specs if spec["is_required"]}
        optional_types = {spec["name"] for spec in file_specs if not spec["is_required"]}

        # Validate file organization
        organized_files = []
        for file_path in file_paths:
            # Extract file type from path or metadata
            file_type = extract_file_type(file_path)  # Custom function

            if file_type in required_types or file_type in optional_types:
                organized_files.append({"path": file_path, "type": file_type, "valid": True})
            else:
                print(f"Warning: Unknown file type '{file_type}' for {file_path}")
                organized_files.append({"path": file_path, "type": file_type, "valid": False})

        return organized_files

    def extract_file_type(file_path: Path) -> str:
        """Extract file type from path - implement based on your naming convention."""
        # Example implementation
        if "image" in str(file_path):
            return "image"
        if "annotation" in str(file_path):
            return "annotation"
        if "metadata" in str(file_path):
            return "metadata"
        return "unknown"

    paths = [tmp_path / "image_1.jpg", tmp_path / "annotation_1.json", tmp_path / "other.bin"]
    result = validate_files_against_collection(paths, 123)
    assert [r["valid"] for r in result] == [True, True, False]


def test_error_handling_and_retry(client: BackendClient, tmp_path: Path) -> None:
    import time

    from synapse_ext import ClientError

    def robust_upload(file_path: Path, max_retries: int = 3) -> Any:
        """Upload with retry logic for reliability."""
        for attempt in range(max_retries):
            try:
                result = client.create_data_file(file_path, use_chunked_upload=True)
                return result
            except ClientError as e:
                if e.status_code == 413:  # File too large
                    print(f"File {file_path} too large, trying chunked upload")
                    try:
                        return client.create_data_file(file_path, use_chunked_upload=True)
                    except Exception as retry_e:
                        print(f"Chunked upload failed: {retry_e}")
                        if attempt == max_retries - 1:
                            raise
                elif e.status_code == 429:  # Rate limited
                    wait_time = 2**attempt  # Exponential backoff
                    print(f"Rate limited, waiting {wait_time} seconds...")
                    time.sleep(wait_time)
                else:
                    print(f"Upload failed (attempt {attempt + 1}): {e}")
                    if attempt == max_retries - 1:
                        raise
            except Exception as e:
                print(f"Unexpected error (attempt {attempt + 1}): {e}")
                if attempt == max_retries - 1:
                    raise
                time.sleep(1)  # Brief pause before retry

    assert robust_upload(_jpg(tmp_path / "r.jpg", 7))["id"]


def test_complete_workflow(
    synapse: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_root = tmp_path / "data"
    for i in range(12):
        _jpg(data_root / f"img_{i:02d}.jpg", 200 + i)

    def complete_data_ingestion_workflow() -> list[Any]:
        """Complete workflow for data ingestion."""
        client = BackendClient(base_url="https://api.synapse.sh", api_token="your-token")

        # 1. Choose or create data collection
        collections = client.list_data_collection()
        collection_id = collections[0]["id"]  # Use first available

        # 2. Get collection specifications
        collection = client.get_data_collection(collection_id)
        print(f"Using collection: {collection['name']}")

        # 3. Prepare file paths
        data_dir = Path(data_root)
        image_files = list(data_dir.glob("*.jpg"))

        # 4. Upload files and create data units
        uploaded_files = []
        for i, image_path in enumerate(image_files):
            # Upload individual file
            data_file = client.create_data_file(image_path)
            assert data_file["id"]

            # Organize for collection
            organized_file = {
                "files": {"image": image_path},
                "meta": {
                    "origin_file_stem": image_path.stem,
                    "origin_file_extension": image_path.suffix,
                    "sequence": i,
                    "batch": "batch_001",
                },
            }

            # Upload to collection
            upload_result = client.upload_data_file(organized_file, collection_id)
            uploaded_files.append(upload_result)

        # 5. Create data units in batches
        batch_size = 10
        all_data_units = []
        for i in range(0, len(uploaded_files), batch_size):
            batch = uploaded_files[i : i + batch_size]
            data_units = client.create_data_units(batch)
            all_data_units.extend(data_units)
            print(f"Created batch {i // batch_size}: {len(data_units)} data units")

        print(f"Total data units created: {len(all_data_units)}")
        return all_data_units

    data_units = complete_data_ingestion_workflow()
    assert len(data_units) == 12
    assert "Total data units created: 12" in capsys.readouterr().out
    # verify-first: each file was uploaded once (by create_data_file), never twice
    assert synapse.call_count("createDataFile") == 12
