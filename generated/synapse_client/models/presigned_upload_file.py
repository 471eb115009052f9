from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.presigned_upload_multipart import PresignedUploadMultipart


T = TypeVar("T", bound="PresignedUploadFile")


@_attrs_define
class PresignedUploadFile:
    """The presigned upload of one file: either `presigned_url` (single PUT) or `multipart`;
    the other is null.

        Example:
            {'filename': 'a01.jpg', 'file_key': 'uploads/3f2a/a01.jpg', 'presigned_url':
                'https://storage.synapse.sh/uploads/3f2a/a01.jpg?X-Amz-Expires=3600&X-Amz-Signature=4f1c', 'multipart': None}

    """

    filename: str
    file_key: str
    """ The storage key; send it back to confirm / finalize the upload. """
    presigned_url: None | str
    """ PUT the raw bytes here (no Synapse headers); null for a multipart upload. """
    multipart: None | PresignedUploadMultipart
    """ Multipart information; null for a single PUT. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.presigned_upload_multipart import PresignedUploadMultipart

        filename = self.filename

        file_key = self.file_key

        presigned_url: None | str
        presigned_url = self.presigned_url

        multipart: dict[str, Any] | None
        if isinstance(self.multipart, PresignedUploadMultipart):
            multipart = self.multipart.to_dict()
        else:
            multipart = self.multipart

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "filename": filename,
                "file_key": file_key,
                "presigned_url": presigned_url,
                "multipart": multipart,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.presigned_upload_multipart import PresignedUploadMultipart

        d = dict(src_dict)
        filename = d.pop("filename")

        file_key = d.pop("file_key")

        def _parse_presigned_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        presigned_url = _parse_presigned_url(d.pop("presigned_url"))

        def _parse_multipart(data: object) -> None | PresignedUploadMultipart:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                multipart_type_0 = PresignedUploadMultipart.from_dict(data)

                return multipart_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PresignedUploadMultipart, data)

        multipart = _parse_multipart(d.pop("multipart"))

        presigned_upload_file = cls(
            filename=filename,
            file_key=file_key,
            presigned_url=presigned_url,
            multipart=multipart,
        )

        presigned_upload_file.additional_properties = d
        return presigned_upload_file

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
