from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataUnitV2BulkCreateFile")


@_attrs_define
class DataUnitV2BulkCreateFile:
    """One file of a unit to create, by the checksum of a finalized data file.

    Example:
        {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}

    """

    checksum: str
    """ The checksum of a data file finalized with `v2FinalizeUpload`. """
    path: str | Unset = UNSET
    """ The original path (optional; stored as `path_original`). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checksum = self.checksum

        path = self.path

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checksum": checksum,
            }
        )
        if path is not UNSET:
            field_dict["path"] = path

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        checksum = d.pop("checksum")

        path = d.pop("path", UNSET)

        data_unit_v2_bulk_create_file = cls(
            checksum=checksum,
            path=path,
        )

        data_unit_v2_bulk_create_file.additional_properties = d
        return data_unit_v2_bulk_create_file

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
