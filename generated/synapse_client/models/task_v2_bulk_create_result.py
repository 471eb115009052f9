from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskV2BulkCreateResult")


@_attrs_define
class TaskV2BulkCreateResult:
    """v2 `tasks/bulk-create` answer.

    Example:
        {'created_count': 2, 'skipped_count': 0}

    """

    created_count: int
    """ Units that had no task in the project when the request was made (inserts
    attempted); concurrent requests can make this exceed the real inserts.
     """
    skipped_count: int
    """ Units that already had a task in the project. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_count = self.created_count

        skipped_count = self.skipped_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_count": created_count,
                "skipped_count": skipped_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_count = d.pop("created_count")

        skipped_count = d.pop("skipped_count")

        task_v2_bulk_create_result = cls(
            created_count=created_count,
            skipped_count=skipped_count,
        )

        task_v2_bulk_create_result.additional_properties = d
        return task_v2_bulk_create_result

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
