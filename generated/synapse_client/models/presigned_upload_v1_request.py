from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.presigned_upload_v1_file_request import PresignedUploadV1FileRequest


T = TypeVar("T", bound="PresignedUploadV1Request")


@_attrs_define
class PresignedUploadV1Request:
    """v1 `presigned_upload/upload/` request.

    Example:
        {'files': [{'filename': 'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration': 3600}

    """

    files: list[PresignedUploadV1FileRequest]
    """ The files to upload. """
    expiration: int | Unset = 3600
    """ URL lifetime in seconds (default one hour). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        expiration = self.expiration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "files": files,
            }
        )
        if expiration is not UNSET:
            field_dict["expiration"] = expiration

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.presigned_upload_v1_file_request import PresignedUploadV1FileRequest

        d = dict(src_dict)
        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = PresignedUploadV1FileRequest.from_dict(files_item_data)

            files.append(files_item)

        expiration = d.pop("expiration", UNSET)

        presigned_upload_v1_request = cls(
            files=files,
            expiration=expiration,
        )

        presigned_upload_v1_request.additional_properties = d
        return presigned_upload_v1_request

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
