from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_type import FileType, check_file_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="DataUnitFile")


@_attrs_define
class DataUnitFile:
    """
    Example:
        {'id': 42, 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'url':
            'https://storage.synapse.sh/9e107d9d?expires=1768470600&signature=4f1c', 'file_type': 'image', 'is_primary':
            True, 'file_name_original': 'a01.jpg', 'path_original': '/data/image/a01.jpg', 'size': 48213}

    """

    checksum: str
    url: str
    """ Absolute, presigned download URL; needs no auth headers; expires. """
    file_type: FileType
    is_primary: bool
    id: int | Unset = UNSET
    """ The data file's id. """
    file_name_original: str | Unset = UNSET
    path_original: str | Unset = UNSET
    size: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checksum = self.checksum

        url = self.url

        file_type: str = self.file_type

        is_primary = self.is_primary

        id = self.id

        file_name_original = self.file_name_original

        path_original = self.path_original

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checksum": checksum,
                "url": url,
                "file_type": file_type,
                "is_primary": is_primary,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if file_name_original is not UNSET:
            field_dict["file_name_original"] = file_name_original
        if path_original is not UNSET:
            field_dict["path_original"] = path_original
        if size is not UNSET:
            field_dict["size"] = size

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        checksum = d.pop("checksum")

        url = d.pop("url")

        file_type = check_file_type(d.pop("file_type"))

        is_primary = d.pop("is_primary")

        id = d.pop("id", UNSET)

        file_name_original = d.pop("file_name_original", UNSET)

        path_original = d.pop("path_original", UNSET)

        size = d.pop("size", UNSET)

        data_unit_file = cls(
            checksum=checksum,
            url=url,
            file_type=file_type,
            is_primary=is_primary,
            id=id,
            file_name_original=file_name_original,
            path_original=path_original,
            size=size,
        )

        data_unit_file.additional_properties = d
        return data_unit_file

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
