from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskV2BulkCreateRequest")


@_attrs_define
class TaskV2BulkCreateRequest:
    """v2 `tasks/bulk-create` request: one task per data unit in a project.

    Example:
        {'project': 1, 'data_unit_ids': [4101, 4102]}

    """

    project: int
    """ The project to create the tasks in. """
    data_unit_ids: list[int]
    """ The data units (at most 1000). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        project = self.project

        data_unit_ids = self.data_unit_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "project": project,
                "data_unit_ids": data_unit_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        project = d.pop("project")

        data_unit_ids = cast(list[int], d.pop("data_unit_ids"))

        task_v2_bulk_create_request = cls(
            project=project,
            data_unit_ids=data_unit_ids,
        )

        task_v2_bulk_create_request.additional_properties = d
        return task_v2_bulk_create_request

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
