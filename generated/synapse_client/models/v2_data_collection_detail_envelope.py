from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.data_collection_v2_detail import DataCollectionV2Detail
    from ..models.v2_meta import V2Meta


T = TypeVar("T", bound="V2DataCollectionDetailEnvelope")


@_attrs_define
class V2DataCollectionDetailEnvelope:
    """v2 answer: one data collection.

    Example:
        {'data': {'id': 1, 'tenant_id': 5, 'name': 'Street scenes', 'description': 'Dash-cam frames with object
            annotations.', 'category': 'image', 'category_display': 'Image', 'meta': {}, 'caution': 'sensitive_content',
            'access_level': 'private', 'is_archived': False, 'created': '2026-01-15T09:00:00Z', 'count_projects': 3,
            'file_specifications': [{'id': 1, 'name': 'image', 'description': 'The photo to annotate.', 'file_type':
            'image', 'file_type_display': 'Image', 'configuration': {}, 'is_sequential': False, 'is_required': True,
            'is_primary': True, 'function_type': 'main', 'index': 1}]}, 'meta': {'request_id': 'req_abc123def456'}}

    """

    data: DataCollectionV2Detail
    """ A data collection with all its fields and its file specifications. """
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
        from ..models.data_collection_v2_detail import DataCollectionV2Detail
        from ..models.v2_meta import V2Meta

        d = dict(src_dict)
        data = DataCollectionV2Detail.from_dict(d.pop("data"))

        meta = V2Meta.from_dict(d.pop("meta"))

        v2_data_collection_detail_envelope = cls(
            data=data,
            meta=meta,
        )

        v2_data_collection_detail_envelope.additional_properties = d
        return v2_data_collection_detail_envelope

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
