from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.data_file_v2_list import DataFileV2List
    from ..models.v2_list_meta import V2ListMeta


T = TypeVar("T", bound="V2DataFileListEnvelope")


@_attrs_define
class V2DataFileListEnvelope:
    """v2 answer: one page of data files.

    Example:
        {'data': [{'id': 42, 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'file_size': 48213, 'created':
            '2026-01-15T09:31:00Z'}], 'meta': {'request_id': 'req_abc123def456', 'pagination': {'next_cursor': None,
            'previous_cursor': None, 'per_page': 50}}}

    """

    data: list[DataFileV2List]
    meta: V2ListMeta
    """ The `meta` of a v2 list answer. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_file_v2_list import DataFileV2List
        from ..models.v2_list_meta import V2ListMeta

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = DataFileV2List.from_dict(data_item_data)

            data.append(data_item)

        meta = V2ListMeta.from_dict(d.pop("meta"))

        v2_data_file_list_envelope = cls(
            data=data,
            meta=meta,
        )

        v2_data_file_list_envelope.additional_properties = d
        return v2_data_file_list_envelope

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
