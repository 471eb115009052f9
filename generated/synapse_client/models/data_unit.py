from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_unit_files import DataUnitFiles
    from ..models.data_unit_meta import DataUnitMeta


T = TypeVar("T", bound="DataUnit")


@_attrs_define
class DataUnit:
    """
    Example:
        {'id': 7, 'data_collection': 1, 'files': {'image': {'id': 42, 'checksum': '9e107d9d372bb6826bd81d3542a419d6',
            'url': 'https://storage.synapse.sh/9e107d9d?expires=1768470600&signature=4f1c', 'file_type': 'image',
            'is_primary': True, 'file_name_original': 'a01.jpg'}}, 'meta': {'origin_file_stem': 'a01',
            'origin_file_extension': '.jpg'}, 'created_at': '2026-01-15T09:32:00+00:00'}

    """

    id: int
    data_collection: int
    files: DataUnitFiles
    """ Spec name to file. """
    meta: DataUnitMeta
    groups: list[str] | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        data_collection = self.data_collection

        files = self.files.to_dict()

        meta = self.meta.to_dict()

        groups: list[str] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "data_collection": data_collection,
                "files": files,
                "meta": meta,
            }
        )
        if groups is not UNSET:
            field_dict["groups"] = groups
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_unit_files import DataUnitFiles
        from ..models.data_unit_meta import DataUnitMeta

        d = dict(src_dict)
        id = d.pop("id")

        data_collection = d.pop("data_collection")

        files = DataUnitFiles.from_dict(d.pop("files"))

        meta = DataUnitMeta.from_dict(d.pop("meta"))

        groups = cast(list[str], d.pop("groups", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        data_unit = cls(
            id=id,
            data_collection=data_collection,
            files=files,
            meta=meta,
            groups=groups,
            created_at=created_at,
        )

        data_unit.additional_properties = d
        return data_unit

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
