from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.confirm_upload_part import ConfirmUploadPart


T = TypeVar("T", bound="ConfirmUploadMultipart")


@_attrs_define
class ConfirmUploadMultipart:
    """How a multipart upload is completed (v1).

    Example:
        {'upload_id': '2~abc', 'parts': [{'part_number': 1, 'etag': '"5d41402abc4b2a76b9719d911017c592"'}]}

    """

    upload_id: str
    parts: list[ConfirmUploadPart]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        upload_id = self.upload_id

        parts = []
        for parts_item_data in self.parts:
            parts_item = parts_item_data.to_dict()
            parts.append(parts_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "upload_id": upload_id,
                "parts": parts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.confirm_upload_part import ConfirmUploadPart

        d = dict(src_dict)
        upload_id = d.pop("upload_id")

        parts = []
        _parts = d.pop("parts")
        for parts_item_data in _parts:
            parts_item = ConfirmUploadPart.from_dict(parts_item_data)

            parts.append(parts_item)

        confirm_upload_multipart = cls(
            upload_id=upload_id,
            parts=parts,
        )

        confirm_upload_multipart.additional_properties = d
        return confirm_upload_multipart

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
