from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="VerifyChecksumsRequest")


@_attrs_define
class VerifyChecksumsRequest:
    """
    Example:
        {'checksums': ['9e107d9d372bb6826bd81d3542a419d6', 'e4d909c290d0fb1ca068ffaddf22cbd0']}

    """

    checksums: list[str]

    def to_dict(self) -> dict[str, Any]:
        checksums = self.checksums

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "checksums": checksums,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        checksums = cast(list[str], d.pop("checksums"))

        verify_checksums_request = cls(
            checksums=checksums,
        )

        return verify_checksums_request
