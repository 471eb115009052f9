from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DataUnitFileRef")


@_attrs_define
class DataUnitFileRef:
    """
    Example:
        {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}

    """

    checksum: str
    """ MD5 of an existing data file. """
    path: str | Unset = UNSET
    """ The local source path (stored as `path_original`). """

    def to_dict(self) -> dict[str, Any]:
        checksum = self.checksum

        path = self.path

        field_dict: dict[str, Any] = {}

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

        data_unit_file_ref = cls(
            checksum=checksum,
            path=path,
        )

        return data_unit_file_ref
