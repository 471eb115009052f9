from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.data_unit_v2_bulk_create_item import DataUnitV2BulkCreateItem


T = TypeVar("T", bound="DataUnitV2BulkCreateRequest")


@_attrs_define
class DataUnitV2BulkCreateRequest:
    """v2 `data-units/bulk-create` request: data units from finalized files.

    Example:
        {'data_collection': 1, 'units': [{'files': {'image': {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path':
            '/data/image/a01.jpg'}}, 'groups': ['batch-01'], 'meta': {'origin_file_stem': 'a01'}}]}

    """

    data_collection: int
    """ The collection to create the units in. """
    units: list[DataUnitV2BulkCreateItem]
    """ The units to create (at most 1000). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data_collection = self.data_collection

        units = []
        for units_item_data in self.units:
            units_item = units_item_data.to_dict()
            units.append(units_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data_collection": data_collection,
                "units": units,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_unit_v2_bulk_create_item import DataUnitV2BulkCreateItem

        d = dict(src_dict)
        data_collection = d.pop("data_collection")

        units = []
        _units = d.pop("units")
        for units_item_data in _units:
            units_item = DataUnitV2BulkCreateItem.from_dict(units_item_data)

            units.append(units_item)

        data_unit_v2_bulk_create_request = cls(
            data_collection=data_collection,
            units=units,
        )

        data_unit_v2_bulk_create_request.additional_properties = d
        return data_unit_v2_bulk_create_request

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
