from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.file_specification import FileSpecification


T = TypeVar("T", bound="DataCollection")


@_attrs_define
class DataCollection:
    """
    Example:
        {'id': 1, 'name': 'Street scenes', 'description': 'Dash-cam frames with object annotations.', 'project': 1,
            'created_at': '2026-01-15T09:30:00+00:00'}

    """

    id: int
    name: str
    description: str | Unset = UNSET
    project: int | None | Unset = UNSET
    """ The associated project, if any. """
    created_at: datetime.datetime | Unset = UNSET
    file_specifications: list[FileSpecification] | Unset = UNSET
    """ Present when requested with `expand=file_specifications`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        project: int | None | Unset
        if isinstance(self.project, Unset):
            project = UNSET
        else:
            project = self.project

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        file_specifications: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.file_specifications, Unset):
            file_specifications = []
            for file_specifications_item_data in self.file_specifications:
                file_specifications_item = file_specifications_item_data.to_dict()
                file_specifications.append(file_specifications_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if project is not UNSET:
            field_dict["project"] = project
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if file_specifications is not UNSET:
            field_dict["file_specifications"] = file_specifications

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.file_specification import FileSpecification

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        def _parse_project(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        project = _parse_project(d.pop("project", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _file_specifications = d.pop("file_specifications", UNSET)
        file_specifications: list[FileSpecification] | Unset = UNSET
        if _file_specifications is not UNSET:
            file_specifications = []
            for file_specifications_item_data in _file_specifications:
                file_specifications_item = FileSpecification.from_dict(
                    file_specifications_item_data
                )

                file_specifications.append(file_specifications_item)

        data_collection = cls(
            id=id,
            name=name,
            description=description,
            project=project,
            created_at=created_at,
            file_specifications=file_specifications,
        )

        data_collection.additional_properties = d
        return data_collection

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
