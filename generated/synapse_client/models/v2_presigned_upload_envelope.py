from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.presigned_upload_response import PresignedUploadResponse
    from ..models.v2_meta import V2Meta


T = TypeVar("T", bound="V2PresignedUploadEnvelope")


@_attrs_define
class V2PresignedUploadEnvelope:
    """v2 answer: presigned URLs.

    Example:
        {'data': {'files': [{'filename': 'a01.jpg', 'file_key': 'uploads/3f2a/a01.jpg', 'presigned_url':
            'https://storage.synapse.sh/uploads/3f2a/a01.jpg?X-Amz-Expires=3600&X-Amz-Signature=4f1c', 'multipart': None}],
            'expires_at': '2026-01-15T10:30:00Z'}, 'meta': {'request_id': 'req_abc123def456'}}

    """

    data: PresignedUploadResponse
    """ Presigned URLs, one per requested file, in request order (v1 body; v2 `data`). """
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
        from ..models.presigned_upload_response import PresignedUploadResponse
        from ..models.v2_meta import V2Meta

        d = dict(src_dict)
        data = PresignedUploadResponse.from_dict(d.pop("data"))

        meta = V2Meta.from_dict(d.pop("meta"))

        v2_presigned_upload_envelope = cls(
            data=data,
            meta=meta,
        )

        v2_presigned_upload_envelope.additional_properties = d
        return v2_presigned_upload_envelope

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
