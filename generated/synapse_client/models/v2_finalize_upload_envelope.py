from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.finalize_upload_response import FinalizeUploadResponse
    from ..models.v2_meta import V2Meta


T = TypeVar("T", bound="V2FinalizeUploadEnvelope")


@_attrs_define
class V2FinalizeUploadEnvelope:
    """v2 answer: finalize results.

    Example:
        {'data': {'results': [{'file_key': 'uploads/3f2a/a01.jpg', 'checksum': '9e107d9d372bb6826bd81d3542a419d6',
            'data_file_id': 42, 'success': True, 'created': True, 'error': None}], 'created_count': 1, 'failed_count': 0},
            'meta': {'request_id': 'req_abc123def456'}}

    """

    data: FinalizeUploadResponse
    """ v2 `finalize-upload` answer: one result per file, in request order. """
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
        from ..models.finalize_upload_response import FinalizeUploadResponse
        from ..models.v2_meta import V2Meta

        d = dict(src_dict)
        data = FinalizeUploadResponse.from_dict(d.pop("data"))

        meta = V2Meta.from_dict(d.pop("meta"))

        v2_finalize_upload_envelope = cls(
            data=data,
            meta=meta,
        )

        v2_finalize_upload_envelope.additional_properties = d
        return v2_finalize_upload_envelope

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
