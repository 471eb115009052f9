from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """An error body: DRF's `{"detail": ...}` and/or per-field messages (`{"field": ["msg"]}`).
    Chunked-upload offset mismatches add `offset` (older servers) or
    `expected_offset`/`provided_offset` (newer servers).

        Example:
            {'detail': 'Offsets do not match', 'offset': 52428800}

    """

    detail: str | Unset = UNSET
    offset: int | Unset = UNSET
    expected_offset: int | Unset = UNSET
    provided_offset: int | Unset = UNSET
    non_field_errors: list[str] | Unset = UNSET
    additional_properties: dict[str, list[str]] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        offset = self.offset

        expected_offset = self.expected_offset

        provided_offset = self.provided_offset

        non_field_errors: list[str] | Unset = UNSET
        if not isinstance(self.non_field_errors, Unset):
            non_field_errors = self.non_field_errors

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop

        field_dict.update({})
        if detail is not UNSET:
            field_dict["detail"] = detail
        if offset is not UNSET:
            field_dict["offset"] = offset
        if expected_offset is not UNSET:
            field_dict["expected_offset"] = expected_offset
        if provided_offset is not UNSET:
            field_dict["provided_offset"] = provided_offset
        if non_field_errors is not UNSET:
            field_dict["non_field_errors"] = non_field_errors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        detail = d.pop("detail", UNSET)

        offset = d.pop("offset", UNSET)

        expected_offset = d.pop("expected_offset", UNSET)

        provided_offset = d.pop("provided_offset", UNSET)

        non_field_errors = cast(list[str], d.pop("non_field_errors", UNSET))

        error = cls(
            detail=detail,
            offset=offset,
            expected_offset=expected_offset,
            provided_offset=provided_offset,
            non_field_errors=non_field_errors,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = cast(list[str], prop_dict)

            additional_properties[prop_name] = additional_property

        error.additional_properties = additional_properties
        return error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> list[str]:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: list[str]) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
