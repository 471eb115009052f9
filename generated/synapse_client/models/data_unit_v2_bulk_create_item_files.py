from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.data_unit_v2_bulk_create_file import DataUnitV2BulkCreateFile


T = TypeVar("T", bound="DataUnitV2BulkCreateItemFiles")


@_attrs_define
class DataUnitV2BulkCreateItemFiles:
    """File-specification name to file. Only the collection's static (non-sequential)
    specification names, one file each.

        Example:
            {'image': {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}}

    """

    additional_properties: dict[str, DataUnitV2BulkCreateFile] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_unit_v2_bulk_create_file import DataUnitV2BulkCreateFile

        d = dict(src_dict)
        data_unit_v2_bulk_create_item_files = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = DataUnitV2BulkCreateFile.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        data_unit_v2_bulk_create_item_files.additional_properties = additional_properties
        return data_unit_v2_bulk_create_item_files

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> DataUnitV2BulkCreateFile:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: DataUnitV2BulkCreateFile) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
