from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataUnitV2Detail")


@_attrs_define
class DataUnitV2Detail:
    """A data unit with all its fields (v2; no file URLs).

    Example:
        {'id': 4101, 'data_collection_id': 1, 'group_id': 12, 'checksum': '9f2bd0a1c3e84f6b7d5a2c8e1f4b6d9a0c3e5f78',
            'meta': {'origin_file_stem': 'a01'}, 'created': '2026-01-15T09:32:00Z'}

    """

    id: int
    data_collection_id: int
    group_id: int
    """ The unit's data group (not marked nullable by the v2 schema). """
    checksum: str
    meta: Any
    """ Metadata (any JSON). """
    created: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        data_collection_id = self.data_collection_id

        group_id = self.group_id

        checksum = self.checksum

        meta = self.meta

        created = self.created.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "data_collection_id": data_collection_id,
                "group_id": group_id,
                "checksum": checksum,
                "meta": meta,
                "created": created,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        data_collection_id = d.pop("data_collection_id")

        group_id = d.pop("group_id")

        checksum = d.pop("checksum")

        meta = d.pop("meta")

        created = datetime.datetime.fromisoformat(d.pop("created"))

        data_unit_v2_detail = cls(
            id=id,
            data_collection_id=data_collection_id,
            group_id=group_id,
            checksum=checksum,
            meta=meta,
            created=created,
        )

        data_unit_v2_detail.additional_properties = d
        return data_unit_v2_detail

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
