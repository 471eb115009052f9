from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.data_file_v2_detail import DataFileV2Detail
    from ..models.v2_meta import V2Meta


T = TypeVar("T", bound="V2DataFileDetailEnvelope")


@_attrs_define
class V2DataFileDetailEnvelope:
    """v2 answer: one data file.

    Example:
        {'data': {'id': 42, 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'file_size': 48213, 'meta': {},
            'storage_id': 1, 'created': '2026-01-15T09:31:00Z'}, 'meta': {'request_id': 'req_abc123def456'}}

    """

    data: DataFileV2Detail
    """ A data file with all its fields (v2). """
    meta: V2Meta
    """ The `meta` of a v2 answer. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

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
        from ..models.data_file_v2_detail import DataFileV2Detail
        from ..models.v2_meta import V2Meta

        d = dict(src_dict)
        data = DataFileV2Detail.from_dict(d.pop("data"))

        meta = V2Meta.from_dict(d.pop("meta"))

        v2_data_file_detail_envelope = cls(
            data=data,
            meta=meta,
        )

        v2_data_file_detail_envelope.additional_properties = d
        return v2_data_file_detail_envelope

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
