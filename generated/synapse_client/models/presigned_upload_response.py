from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.presigned_upload_file import PresignedUploadFile


T = TypeVar("T", bound="PresignedUploadResponse")


@_attrs_define
class PresignedUploadResponse:
    """Presigned URLs, one per requested file, in request order (v1 body; v2 `data`).

    Example:
        {'files': [{'filename': 'a01.jpg', 'file_key': 'uploads/3f2a/a01.jpg', 'presigned_url':
            'https://storage.synapse.sh/uploads/3f2a/a01.jpg?X-Amz-Expires=3600&X-Amz-Signature=4f1c', 'multipart': None}],
            'expires_at': '2026-01-15T10:30:00Z'}

    """

    files: list[PresignedUploadFile]
    expires_at: datetime.datetime
    """ When the URLs expire. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "files": files,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.presigned_upload_file import PresignedUploadFile

        d = dict(src_dict)
        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = PresignedUploadFile.from_dict(files_item_data)

            files.append(files_item)

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        presigned_upload_response = cls(
            files=files,
            expires_at=expires_at,
        )

        presigned_upload_response.additional_properties = d
        return presigned_upload_response

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
