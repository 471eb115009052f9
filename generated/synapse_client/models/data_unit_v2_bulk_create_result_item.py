from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DataUnitV2BulkCreateResultItem")


@_attrs_define
class DataUnitV2BulkCreateResultItem:
    """The result for one unit of a bulk create.

    Example:
        {'data_unit_id': 4101, 'checksum': '9f2bd0a1c3e84f6b7d5a2c8e1f4b6d9a0c3e5f78', 'created': True}

    """

    data_unit_id: int
    """ The created or reused unit's id. """
    checksum: str
    """ The unit's checksum, computed from its files. """
    created: bool
    """ True when created, false when an existing unit with the same files was reused. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data_unit_id = self.data_unit_id

        checksum = self.checksum

        created = self.created

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data_unit_id": data_unit_id,
                "checksum": checksum,
                "created": created,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        data_unit_id = d.pop("data_unit_id")

        checksum = d.pop("checksum")

        created = d.pop("created")

        data_unit_v2_bulk_create_result_item = cls(
            data_unit_id=data_unit_id,
            checksum=checksum,
            created=created,
        )

        data_unit_v2_bulk_create_result_item.additional_properties = d
        return data_unit_v2_bulk_create_result_item

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
