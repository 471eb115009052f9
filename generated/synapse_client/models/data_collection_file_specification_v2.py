from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_type import FileType, check_file_type
from ..models.function_type import FunctionType, check_function_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="DataCollectionFileSpecificationV2")


@_attrs_define
class DataCollectionFileSpecificationV2:
    """A file specification of a v2 data collection.

    Example:
        {'id': 1, 'name': 'image', 'description': 'The photo to annotate.', 'file_type': 'image', 'file_type_display':
            'Image', 'configuration': {}, 'is_sequential': False, 'is_required': True, 'is_primary': True, 'function_type':
            'main', 'index': 1}

    """

    id: int
    name: str
    """ The specification's name (key in a data unit's `files`). """
    file_type: FileType
    file_type_display: str
    description: str | Unset = UNSET
    configuration: Any | Unset = UNSET
    """ Settings (any JSON). """
    is_sequential: bool | Unset = UNSET
    is_required: bool | Unset = UNSET
    is_primary: bool | Unset = UNSET
    function_type: FunctionType | Unset = UNSET
    index: int | Unset = UNSET
    """ Order among the specifications of the same file type. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        file_type: str = self.file_type

        file_type_display = self.file_type_display

        description = self.description

        configuration = self.configuration

        is_sequential = self.is_sequential

        is_required = self.is_required

        is_primary = self.is_primary

        function_type: str | Unset = UNSET
        if not isinstance(self.function_type, Unset):
            function_type = self.function_type

        index = self.index

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "file_type": file_type,
                "file_type_display": file_type_display,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if configuration is not UNSET:
            field_dict["configuration"] = configuration
        if is_sequential is not UNSET:
            field_dict["is_sequential"] = is_sequential
        if is_required is not UNSET:
            field_dict["is_required"] = is_required
        if is_primary is not UNSET:
            field_dict["is_primary"] = is_primary
        if function_type is not UNSET:
            field_dict["function_type"] = function_type
        if index is not UNSET:
            field_dict["index"] = index

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        file_type = check_file_type(d.pop("file_type"))

        file_type_display = d.pop("file_type_display")

        description = d.pop("description", UNSET)

        configuration = d.pop("configuration", UNSET)

        is_sequential = d.pop("is_sequential", UNSET)

        is_required = d.pop("is_required", UNSET)

        is_primary = d.pop("is_primary", UNSET)

        _function_type = d.pop("function_type", UNSET)
        function_type: FunctionType | Unset
        if isinstance(_function_type, Unset):
            function_type = UNSET
        else:
            function_type = check_function_type(_function_type)

        index = d.pop("index", UNSET)

        data_collection_file_specification_v2 = cls(
            id=id,
            name=name,
            file_type=file_type,
            file_type_display=file_type_display,
            description=description,
            configuration=configuration,
            is_sequential=is_sequential,
            is_required=is_required,
            is_primary=is_primary,
            function_type=function_type,
            index=index,
        )

        data_collection_file_specification_v2.additional_properties = d
        return data_collection_file_specification_v2

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
