from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.task_data_item import TaskDataItem


T = TypeVar("T", bound="TaskCreateRequest")


@_attrs_define
class TaskCreateRequest:
    """
    Example:
        {'project': 1, 'data': [{'data_unit': 7}, {'data_unit': 8}]}

    """

    project: int
    data: list[TaskDataItem]

    def to_dict(self) -> dict[str, Any]:
        project = self.project

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "project": project,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task_data_item import TaskDataItem

        d = dict(src_dict)
        project = d.pop("project")

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = TaskDataItem.from_dict(data_item_data)

            data.append(data_item)

        task_create_request = cls(
            project=project,
            data=data,
        )

        return task_create_request
