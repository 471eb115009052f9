from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.data_collection_access_level import (
    DataCollectionAccessLevel,
    check_data_collection_access_level,
)
from ..models.data_collection_category import DataCollectionCategory, check_data_collection_category
from ..models.data_collection_caution import DataCollectionCaution, check_data_collection_caution

if TYPE_CHECKING:
    from ..models.data_collection_file_specification_v2 import DataCollectionFileSpecificationV2


T = TypeVar("T", bound="DataCollectionV2Detail")


@_attrs_define
class DataCollectionV2Detail:
    """A data collection with all its fields and its file specifications.

    Example:
        {'id': 1, 'tenant_id': 5, 'name': 'Street scenes', 'description': 'Dash-cam frames with object annotations.',
            'category': 'image', 'category_display': 'Image', 'meta': {}, 'caution': 'sensitive_content', 'access_level':
            'private', 'is_archived': False, 'created': '2026-01-15T09:00:00Z', 'count_projects': 3, 'file_specifications':
            [{'id': 1, 'name': 'image', 'description': 'The photo to annotate.', 'file_type': 'image', 'file_type_display':
            'Image', 'configuration': {}, 'is_sequential': False, 'is_required': True, 'is_primary': True, 'function_type':
            'main', 'index': 1}]}

    """

    id: int
    tenant_id: int
    name: str
    description: str
    category: DataCollectionCategory
    """ A data collection's category. """
    category_display: str
    meta: Any
    """ Metadata (any JSON). """
    caution: DataCollectionCaution
    """ A caution flag on a data collection; the empty string when there is none (the backend's schema lists only
    `sensitive_content`, but the field is required and not nullable). """
    access_level: DataCollectionAccessLevel
    """ Who can see a data collection (public, partially public, private). """
    is_archived: bool
    created: datetime.datetime
    count_projects: int
    """ Number of child projects the caller can see. """
    file_specifications: list[DataCollectionFileSpecificationV2]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        tenant_id = self.tenant_id

        name = self.name

        description = self.description

        category: str = self.category

        category_display = self.category_display

        meta = self.meta

        caution: str = self.caution

        access_level: str = self.access_level

        is_archived = self.is_archived

        created = self.created.isoformat()

        count_projects = self.count_projects

        file_specifications = []
        for file_specifications_item_data in self.file_specifications:
            file_specifications_item = file_specifications_item_data.to_dict()
            file_specifications.append(file_specifications_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant_id": tenant_id,
                "name": name,
                "description": description,
                "category": category,
                "category_display": category_display,
                "meta": meta,
                "caution": caution,
                "access_level": access_level,
                "is_archived": is_archived,
                "created": created,
                "count_projects": count_projects,
                "file_specifications": file_specifications,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_collection_file_specification_v2 import DataCollectionFileSpecificationV2

        d = dict(src_dict)
        id = d.pop("id")

        tenant_id = d.pop("tenant_id")

        name = d.pop("name")

        description = d.pop("description")

        category = check_data_collection_category(d.pop("category"))

        category_display = d.pop("category_display")

        meta = d.pop("meta")

        caution = check_data_collection_caution(d.pop("caution"))

        access_level = check_data_collection_access_level(d.pop("access_level"))

        is_archived = d.pop("is_archived")

        created = datetime.datetime.fromisoformat(d.pop("created"))

        count_projects = d.pop("count_projects")

        file_specifications = []
        _file_specifications = d.pop("file_specifications")
        for file_specifications_item_data in _file_specifications:
            file_specifications_item = DataCollectionFileSpecificationV2.from_dict(
                file_specifications_item_data
            )

            file_specifications.append(file_specifications_item)

        data_collection_v2_detail = cls(
            id=id,
            tenant_id=tenant_id,
            name=name,
            description=description,
            category=category,
            category_display=category_display,
            meta=meta,
            caution=caution,
            access_level=access_level,
            is_archived=is_archived,
            created=created,
            count_projects=count_projects,
            file_specifications=file_specifications,
        )

        data_collection_v2_detail.additional_properties = d
        return data_collection_v2_detail

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
