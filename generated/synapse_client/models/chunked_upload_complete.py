from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ChunkedUploadComplete")


@_attrs_define
class ChunkedUploadComplete:
    """
    Example:
        {'md5': '9e107d9d372bb6826bd81d3542a419d6'}

    """

    md5: str
    """ Lower-case hex MD5 of the whole file. """

    def to_dict(self) -> dict[str, Any]:
        md5 = self.md5

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "md5": md5,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        md5 = d.pop("md5")

        chunked_upload_complete = cls(
            md5=md5,
        )

        return chunked_upload_complete
