from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConfirmUploadResult")


@_attrs_define
class ConfirmUploadResult:
    """The result of confirming one file (v1).

    Example:
        {'file_key': 'uploads/3f2a/a01.jpg', 'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'data_file_id': 42,
            'success': True, 'error': None}

    """

    file_key: str
    checksum: str
    data_file_id: int | None
    """ The data file's id; null when the confirmation failed. """
    success: bool
    error: None | str
    """ Why the confirmation failed; null on success. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        file_key = self.file_key

        checksum = self.checksum

        data_file_id: int | None
        data_file_id = self.data_file_id

        success = self.success

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "file_key": file_key,
                "checksum": checksum,
                "data_file_id": data_file_id,
                "success": success,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        file_key = d.pop("file_key")

        checksum = d.pop("checksum")

        def _parse_data_file_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        data_file_id = _parse_data_file_id(d.pop("data_file_id"))

        success = d.pop("success")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        confirm_upload_result = cls(
            file_key=file_key,
            checksum=checksum,
            data_file_id=data_file_id,
            success=success,
            error=error,
        )

        confirm_upload_result.additional_properties = d
        return confirm_upload_result

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
