"""Fixture data: who exists in a fresh fake backend.

Shape (JSON, also accepted by ``synapse-mock serve --fixtures FILE``)::

    {
      "tenants": [{"code": "demo", "name": "Demo", "tokens": ["demo-token"]}],
      "data_collections": [
        {"id": 1, "tenant": "demo", "name": "Demo images", "description": "...",
         "project": 1,
         "file_specifications": [
           {"name": "image", "file_type": "image", "is_required": true,
            "is_primary": true, "extensions": ["jpg", "jpeg", "png"]}
         ]}
      ],
      "projects": [{"id": 1, "tenant": "demo", "title": "Demo project", "data_collection": 1}]
    }

``id`` fields are optional (assigned from 1 per kind). A spec takes ``name`` (required),
``file_type`` (audio, data, image, pcd, text, video; default ``data``), ``is_required``,
``is_primary``, ``extensions`` (no dot), ``description``, ``index``, ``function_type``. A
collection may set ``caution`` (``""``, the default, or ``"sensitive_content"``; see
``CAUTIONS``), what the v2 API answers for it. The same token may be listed under several
tenants; it then needs the ``Synapse-Tenant`` header.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

__all__ = [
    "CAUTIONS",
    "DEFAULT_TENANT",
    "DEFAULT_TOKEN",
    "default_fixtures",
    "load_fixtures",
    "with_caution",
]

CAUTIONS = ("", "sensitive_content")
"""The values of a collection's v2 ``caution`` (``""``: none, the default)."""

DEFAULT_TENANT = "demo"
"""The tenant of the default fixtures."""
DEFAULT_TOKEN = "demo-token"
"""The access token the default fixtures accept (for ``DEFAULT_TENANT``)."""
OTHER_TENANT = "other"
OTHER_TOKEN = "other-token"

_DEFAULT: dict[str, Any] = {
    "tenants": [
        {"code": DEFAULT_TENANT, "name": "Demo", "tokens": [DEFAULT_TOKEN]},
        {"code": OTHER_TENANT, "name": "Other", "tokens": [OTHER_TOKEN]},
    ],
    "data_collections": [
        {
            "id": 1,
            "tenant": DEFAULT_TENANT,
            "name": "Demo images",
            "description": "Images with optional annotations and metadata.",
            "project": 1,
            "file_specifications": [
                {
                    "name": "image",
                    "file_type": "image",
                    "is_required": True,
                    "is_primary": True,
                    "extensions": ["jpg", "jpeg", "png"],
                    "description": "The image to annotate.",
                },
                {
                    "name": "annotation",
                    "file_type": "data",
                    "is_required": False,
                    "is_primary": False,
                    "extensions": ["json"],
                    "function_type": "sub",
                },
                {
                    "name": "metadata",
                    "file_type": "data",
                    "is_required": False,
                    "is_primary": False,
                    "extensions": ["json", "xml", "csv", "txt"],
                    "function_type": "meta",
                },
            ],
        },
        {
            "id": 2,
            "tenant": DEFAULT_TENANT,
            "name": "Labelled images",
            "description": "Every unit needs an image and a text label.",
            "project": None,
            "file_specifications": [
                {
                    "name": "image",
                    "file_type": "image",
                    "is_required": True,
                    "is_primary": True,
                    "extensions": ["jpg", "jpeg", "png"],
                },
                {
                    "name": "label",
                    "file_type": "text",
                    "is_required": True,
                    "is_primary": False,
                    "extensions": ["txt"],
                },
            ],
        },
        {
            "id": 3,
            "tenant": OTHER_TENANT,
            "name": "Other tenant's scans",
            "description": "Invisible to the demo tenant.",
            "project": 2,
            "file_specifications": [
                {"name": "scan", "file_type": "image", "is_required": True, "is_primary": True}
            ],
        },
    ],
    "projects": [
        {"id": 1, "tenant": DEFAULT_TENANT, "title": "Demo project", "data_collection": 1},
        {"id": 2, "tenant": OTHER_TENANT, "title": "Other project", "data_collection": 3},
    ],
}


def default_fixtures() -> dict[str, Any]:
    """A fresh copy of the default fixtures (tenants ``demo`` and ``other``)."""
    return copy.deepcopy(_DEFAULT)


def load_fixtures(path: str | Path) -> dict[str, Any]:
    """Read fixtures from a JSON file (shape in the module docstring)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: fixtures must be a JSON object")
    return data


def with_caution(fixtures: dict[str, Any], caution: str) -> dict[str, Any]:
    """A copy of ``fixtures`` whose collections that set no ``caution`` have ``caution``."""
    if caution not in CAUTIONS:
        raise ValueError(f"caution must be one of {list(CAUTIONS)}, not {caution!r}")
    out = copy.deepcopy(fixtures)
    for collection in out.get("data_collections", []):
        collection.setdefault("caution", caution)
    return out
