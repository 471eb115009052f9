from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_collection_access_level import (
    DataCollectionAccessLevel,
    check_data_collection_access_level,
)
from ..models.data_collection_category import DataCollectionCategory, check_data_collection_category

T = TypeVar("T", bound="DataCollectionV2List")


@_attrs_define
class DataCollectionV2List:
    """A data collection as listed (minimal fields).

    Example:
        {'id': 1, 'name': 'Street scenes', 'category': 'image', 'category_display': 'Image', 'access_level': 'private',
            'is_archived': False, 'created': '2026-01-15T09:00:00Z', 'count_projects': 3}

    """

    id: int
    name: str
    category: DataCollectionCategory
    """ A data collection's category. """
    category_display: str
    access_level: DataCollectionAccessLevel
    """ Who can see a data collection (public, partially public, private). """
    is_archived: bool
    created: datetime.datetime
    count_projects: int
    """ Number of child projects the caller can see. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        category: str = self.category

        category_display = self.category_display

        access_level: str = self.access_level

        is_archived = self.is_archived

        created = self.created.isoformat()

        count_projects = self.count_projects

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "category": category,
                "category_display": category_display,
                "access_level": access_level,
                "is_archived": is_archived,
                "created": created,
                "count_projects": count_projects,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        category = check_data_collection_category(d.pop("category"))

        category_display = d.pop("category_display")

        access_level = check_data_collection_access_level(d.pop("access_level"))

        is_archived = d.pop("is_archived")

        created = datetime.datetime.fromisoformat(d.pop("created"))

        count_projects = d.pop("count_projects")

        data_collection_v2_list = cls(
            id=id,
            name=name,
            category=category,
            category_display=category_display,
            access_level=access_level,
            is_archived=is_archived,
            created=created,
            count_projects=count_projects,
        )

        data_collection_v2_list.additional_properties = d
        return data_collection_v2_list

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
