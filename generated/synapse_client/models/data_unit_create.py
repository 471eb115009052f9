from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_unit_create_files import DataUnitCreateFiles
    from ..models.data_unit_create_meta import DataUnitCreateMeta


T = TypeVar("T", bound="DataUnitCreate")


@_attrs_define
class DataUnitCreate:
    """
    Example:
        {'data_collection': 1, 'files': {'image': {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path':
            '/data/image/a01.jpg'}}, 'meta': {'origin_file_stem': 'a01', 'origin_file_extension': '.jpg'}}

    """

    data_collection: int
    files: DataUnitCreateFiles
    """ Spec name to the file it binds. """
    meta: DataUnitCreateMeta | Unset = UNSET
    groups: list[str] | Unset = UNSET
    """ Group path, parent first; the unit attaches to the leaf. """

    def to_dict(self) -> dict[str, Any]:
        data_collection = self.data_collection

        files = self.files.to_dict()

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        groups: list[str] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data_collection": data_collection,
                "files": files,
            }
        )
        if meta is not UNSET:
            field_dict["meta"] = meta
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.data_unit_create_files import DataUnitCreateFiles
        from ..models.data_unit_create_meta import DataUnitCreateMeta

        d = dict(src_dict)
        data_collection = d.pop("data_collection")

        files = DataUnitCreateFiles.from_dict(d.pop("files"))

        _meta = d.pop("meta", UNSET)
        meta: DataUnitCreateMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = DataUnitCreateMeta.from_dict(_meta)

        groups = cast(list[str], d.pop("groups", UNSET))

        data_unit_create = cls(
            data_collection=data_collection,
            files=files,
            meta=meta,
            groups=groups,
        )

        return data_unit_create
