from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.data_unit_v2_bulk_create_result_item import DataUnitV2BulkCreateResultItem


T = TypeVar("T", bound="DataUnitV2BulkCreateResult")


@_attrs_define
class DataUnitV2BulkCreateResult:
    """v2 `data-units/bulk-create` answer: one result per unit, in request order.

    Example:
        {'results': [{'data_unit_id': 4101, 'checksum': '9f2bd0a1c3e84f6b7d5a2c8e1f4b6d9a0c3e5f78', 'created': True}],
            'created_count': 1, 'reused_count': 0}

    """

    results: list[DataUnitV2BulkCreateResultItem]
    created_count: int
    """ Units created. """
    reused_count: int
    """ Existing units reused. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        created_count = self.created_count

        reused_count = self.reused_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "results": results,
                "created_count": created_count,
                "reused_count": reused_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_unit_v2_bulk_create_result_item import DataUnitV2BulkCreateResultItem

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = DataUnitV2BulkCreateResultItem.from_dict(results_item_data)

            results.append(results_item)

        created_count = d.pop("created_count")

        reused_count = d.pop("reused_count")

        data_unit_v2_bulk_create_result = cls(
            results=results,
            created_count=created_count,
            reused_count=reused_count,
        )

        data_unit_v2_bulk_create_result.additional_properties = d
        return data_unit_v2_bulk_create_result

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
