from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.confirm_upload_result import ConfirmUploadResult


T = TypeVar("T", bound="ConfirmUploadResponse")


@_attrs_define
class ConfirmUploadResponse:
    """v1 `presigned_upload/confirm_upload/` answer: one result per file, in request order.

    Example:
        {'results': [{'file_key': 'uploads/3f2a/a01.jpg', 'checksum': '9e107d9d372bb6826bd81d3542a419d6',
            'data_file_id': 42, 'success': True, 'error': None}], 'created_count': 1, 'failed_count': 0}

    """

    results: list[ConfirmUploadResult]
    created_count: int
    failed_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        created_count = self.created_count

        failed_count = self.failed_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "results": results,
                "created_count": created_count,
                "failed_count": failed_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.confirm_upload_result import ConfirmUploadResult

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = ConfirmUploadResult.from_dict(results_item_data)

            results.append(results_item)

        created_count = d.pop("created_count")

        failed_count = d.pop("failed_count")

        confirm_upload_response = cls(
            results=results,
            created_count=created_count,
            failed_count=failed_count,
        )

        confirm_upload_response.additional_properties = d
        return confirm_upload_response

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
