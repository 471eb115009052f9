from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PresignedUploadPart")


@_attrs_define
class PresignedUploadPart:
    """One part of a multipart upload.

    Example:
        {'part_number': 1, 'presigned_url':
            'https://storage.synapse.sh/uploads/3f2a/scan.tif?partNumber=1&uploadId=2~abc&X-Amz-Signature=4f1c'}

    """

    part_number: int
    presigned_url: str
    """ PUT the part's raw bytes here (no Synapse headers); keep the answer's `ETag`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        part_number = self.part_number

        presigned_url = self.presigned_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "part_number": part_number,
                "presigned_url": presigned_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        part_number = d.pop("part_number")

        presigned_url = d.pop("presigned_url")

        presigned_upload_part = cls(
            part_number=part_number,
            presigned_url=presigned_url,
        )

        presigned_upload_part.additional_properties = d
        return presigned_upload_part

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
