from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DataFileFromChunkedUpload")


@_attrs_define
class DataFileFromChunkedUpload:
    """
    Example:
        {'chunked_upload': '5230ec1f-59d1-4d31-bd3b-0b5bc3c8d0e2'}

    """

    chunked_upload: str
    """ The id of a completed chunked upload. """

    def to_dict(self) -> dict[str, Any]:
        chunked_upload = self.chunked_upload

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "chunked_upload": chunked_upload,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chunked_upload = d.pop("chunked_upload")

        data_file_from_chunked_upload = cls(
            chunked_upload=chunked_upload,
        )

        return data_file_from_chunked_upload
