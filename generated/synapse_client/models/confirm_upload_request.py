from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.confirm_upload_file import ConfirmUploadFile


T = TypeVar("T", bound="ConfirmUploadRequest")


@_attrs_define
class ConfirmUploadRequest:
    """v1 `presigned_upload/confirm_upload/` request.

    Example:
        {'files': [{'file_key': 'uploads/3f2a/a01.jpg', 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'size': 48213}]}

    """

    files: list[ConfirmUploadFile]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "files": files,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.confirm_upload_file import ConfirmUploadFile

        d = dict(src_dict)
        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = ConfirmUploadFile.from_dict(files_item_data)

            files.append(files_item)

        confirm_upload_request = cls(
            files=files,
        )

        confirm_upload_request.additional_properties = d
        return confirm_upload_request

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
