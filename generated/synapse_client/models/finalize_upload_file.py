from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.finalize_upload_multipart import FinalizeUploadMultipart


T = TypeVar("T", bound="FinalizeUploadFile")


@_attrs_define
class FinalizeUploadFile:
    """One uploaded file to finalize (v2).

    Example:
        {'file_key': 'uploads/3f2a/a01.jpg', 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'size': 48213}

    """

    file_key: str
    """ The `file_key` of the upload-urls answer. """
    checksum: str
    """ The uploaded file's checksum (the v2 schema says MD5). """
    size: int
    """ The file's real size in bytes. """
    multipart: FinalizeUploadMultipart | None | Unset = UNSET
    """ For a multipart upload, its id and parts. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.finalize_upload_multipart import FinalizeUploadMultipart

        file_key = self.file_key

        checksum = self.checksum

        size = self.size

        multipart: dict[str, Any] | None | Unset
        if isinstance(self.multipart, Unset):
            multipart = UNSET
        elif isinstance(self.multipart, FinalizeUploadMultipart):
            multipart = self.multipart.to_dict()
        else:
            multipart = self.multipart

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "file_key": file_key,
                "checksum": checksum,
                "size": size,
            }
        )
        if multipart is not UNSET:
            field_dict["multipart"] = multipart

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.finalize_upload_multipart import FinalizeUploadMultipart

        d = dict(src_dict)
        file_key = d.pop("file_key")

        checksum = d.pop("checksum")

        size = d.pop("size")

        def _parse_multipart(data: object) -> FinalizeUploadMultipart | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                multipart_type_0 = FinalizeUploadMultipart.from_dict(data)

                return multipart_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FinalizeUploadMultipart | None | Unset, data)

        multipart = _parse_multipart(d.pop("multipart", UNSET))

        finalize_upload_file = cls(
            file_key=file_key,
            checksum=checksum,
            size=size,
            multipart=multipart,
        )

        finalize_upload_file.additional_properties = d
        return finalize_upload_file

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
