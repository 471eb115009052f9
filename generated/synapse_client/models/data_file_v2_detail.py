from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataFileV2Detail")


@_attrs_define
class DataFileV2Detail:
    """A data file with all its fields (v2).

    Example:
        {'id': 42, 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'file_size': 48213, 'meta': {}, 'storage_id': 1,
            'created': '2026-01-15T09:31:00Z'}

    """

    id: int
    checksum: str
    file_size: int
    meta: Any
    """ Metadata (any JSON). """
    storage_id: int
    created: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        checksum = self.checksum

        file_size = self.file_size

        meta = self.meta

        storage_id = self.storage_id

        created = self.created.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "checksum": checksum,
                "file_size": file_size,
                "meta": meta,
                "storage_id": storage_id,
                "created": created,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        checksum = d.pop("checksum")

        file_size = d.pop("file_size")

        meta = d.pop("meta")

        storage_id = d.pop("storage_id")

        created = datetime.datetime.fromisoformat(d.pop("created"))

        data_file_v2_detail = cls(
            id=id,
            checksum=checksum,
            file_size=file_size,
            meta=meta,
            storage_id=storage_id,
            created=created,
        )

        data_file_v2_detail.additional_properties = d
        return data_file_v2_detail

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
