from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_type import FileType, check_file_type
from ..models.function_type import FunctionType, check_function_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.file_specification_configuration import FileSpecificationConfiguration


T = TypeVar("T", bound="FileSpecification")


@_attrs_define
class FileSpecification:
    """
    Example:
        {'id': 1, 'name': 'image', 'description': 'The photo to annotate.', 'file_type': 'image', 'file_type_display':
            'Image', 'configuration': {}, 'is_sequential': False, 'is_required': True, 'is_primary': True, 'function_type':
            'main', 'index': 1, 'extensions': ['jpg', 'jpeg', 'png']}

    """

    id: int
    name: str
    """ Key in a data unit's `files`; the upload directory name. """
    file_type: FileType
    is_required: bool
    is_primary: bool
    description: str | Unset = UNSET
    file_type_display: str | Unset = UNSET
    configuration: FileSpecificationConfiguration | Unset = UNSET
    is_sequential: bool | Unset = UNSET
    function_type: FunctionType | Unset = UNSET
    index: int | Unset = UNSET
    extensions: list[str] | Unset = UNSET
    """ Allowed extensions without the dot, when the server declares them. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        file_type: str = self.file_type

        is_required = self.is_required

        is_primary = self.is_primary

        description = self.description

        file_type_display = self.file_type_display

        configuration: dict[str, Any] | Unset = UNSET
        if not isinstance(self.configuration, Unset):
            configuration = self.configuration.to_dict()

        is_sequential = self.is_sequential

        function_type: str | Unset = UNSET
        if not isinstance(self.function_type, Unset):
            function_type = self.function_type

        index = self.index

        extensions: list[str] | Unset = UNSET
        if not isinstance(self.extensions, Unset):
            extensions = self.extensions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "file_type": file_type,
                "is_required": is_required,
                "is_primary": is_primary,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if file_type_display is not UNSET:
            field_dict["file_type_display"] = file_type_display
        if configuration is not UNSET:
            field_dict["configuration"] = configuration
        if is_sequential is not UNSET:
            field_dict["is_sequential"] = is_sequential
        if function_type is not UNSET:
            field_dict["function_type"] = function_type
        if index is not UNSET:
            field_dict["index"] = index
        if extensions is not UNSET:
            field_dict["extensions"] = extensions

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.file_specification_configuration import FileSpecificationConfiguration

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        file_type = check_file_type(d.pop("file_type"))

        is_required = d.pop("is_required")

        is_primary = d.pop("is_primary")

        description = d.pop("description", UNSET)

        file_type_display = d.pop("file_type_display", UNSET)

        _configuration = d.pop("configuration", UNSET)
        configuration: FileSpecificationConfiguration | Unset
        if isinstance(_configuration, Unset):
            configuration = UNSET
        else:
            configuration = FileSpecificationConfiguration.from_dict(_configuration)

        is_sequential = d.pop("is_sequential", UNSET)

        _function_type = d.pop("function_type", UNSET)
        function_type: FunctionType | Unset
        if isinstance(_function_type, Unset):
            function_type = UNSET
        else:
            function_type = check_function_type(_function_type)

        index = d.pop("index", UNSET)

        extensions = cast(list[str], d.pop("extensions", UNSET))

        file_specification = cls(
            id=id,
            name=name,
            file_type=file_type,
            is_required=is_required,
            is_primary=is_primary,
            description=description,
            file_type_display=file_type_display,
            configuration=configuration,
            is_sequential=is_sequential,
            function_type=function_type,
            index=index,
            extensions=extensions,
        )

        file_specification.additional_properties = d
        return file_specification

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
