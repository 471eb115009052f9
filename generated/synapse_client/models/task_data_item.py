from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TaskDataItem")


@_attrs_define
class TaskDataItem:
    """
    Example:
        {'data_unit': 7}

    """

    data_unit: int

    def to_dict(self) -> dict[str, Any]:
        data_unit = self.data_unit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data_unit": data_unit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        data_unit = d.pop("data_unit")

        task_data_item = cls(
            data_unit=data_unit,
        )

        return task_data_item
