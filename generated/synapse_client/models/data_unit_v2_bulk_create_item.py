from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_unit_v2_bulk_create_item_files import DataUnitV2BulkCreateItemFiles
    from ..models.data_unit_v2_bulk_create_item_meta import DataUnitV2BulkCreateItemMeta


T = TypeVar("T", bound="DataUnitV2BulkCreateItem")


@_attrs_define
class DataUnitV2BulkCreateItem:
    """One data unit to create.

    Example:
        {'files': {'image': {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}}, 'groups':
            ['batch-01'], 'meta': {'origin_file_stem': 'a01'}}

    """

    files: DataUnitV2BulkCreateItemFiles
    """ File-specification name to file. Only the collection's static (non-sequential)
    specification names, one file each.
     """
    groups: list[str] | Unset = UNSET
    """ Data-group names, parent first; created or reused, then attached to the unit. """
    meta: DataUnitV2BulkCreateItemMeta | Unset = UNSET
    """ The unit's metadata. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        files = self.files.to_dict()

        groups: list[str] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "files": files,
            }
        )
        if groups is not UNSET:
            field_dict["groups"] = groups
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_unit_v2_bulk_create_item_files import DataUnitV2BulkCreateItemFiles
        from ..models.data_unit_v2_bulk_create_item_meta import DataUnitV2BulkCreateItemMeta

        d = dict(src_dict)
        files = DataUnitV2BulkCreateItemFiles.from_dict(d.pop("files"))

        groups = cast(list[str], d.pop("groups", UNSET))

        _meta = d.pop("meta", UNSET)
        meta: DataUnitV2BulkCreateItemMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = DataUnitV2BulkCreateItemMeta.from_dict(_meta)

        data_unit_v2_bulk_create_item = cls(
            files=files,
            groups=groups,
            meta=meta,
        )

        data_unit_v2_bulk_create_item.additional_properties = d
        return data_unit_v2_bulk_create_item

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
