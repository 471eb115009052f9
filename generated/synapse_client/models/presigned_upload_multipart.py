from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.presigned_upload_part import PresignedUploadPart


T = TypeVar("T", bound="PresignedUploadMultipart")


@_attrs_define
class PresignedUploadMultipart:
    """Multipart upload information (chosen by the server for large files).

    Example:
        {'upload_id': '2~abc', 'part_size': 104857600, 'parts': [{'part_number': 1, 'presigned_url':
            'https://storage.synapse.sh/uploads/3f2a/scan.tif?partNumber=1&uploadId=2~abc&X-Amz-Signature=4f1c'}]}

    """

    upload_id: str
    part_size: int
    """ Bytes per part (the last part may be shorter). """
    parts: list[PresignedUploadPart]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        upload_id = self.upload_id

        part_size = self.part_size

        parts = []
        for parts_item_data in self.parts:
            parts_item = parts_item_data.to_dict()
            parts.append(parts_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "upload_id": upload_id,
                "part_size": part_size,
                "parts": parts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.presigned_upload_part import PresignedUploadPart

        d = dict(src_dict)
        upload_id = d.pop("upload_id")

        part_size = d.pop("part_size")

        parts = []
        _parts = d.pop("parts")
        for parts_item_data in _parts:
            parts_item = PresignedUploadPart.from_dict(parts_item_data)

            parts.append(parts_item)

        presigned_upload_multipart = cls(
            upload_id=upload_id,
            part_size=part_size,
            parts=parts,
        )

        presigned_upload_multipart.additional_properties = d
        return presigned_upload_multipart

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
