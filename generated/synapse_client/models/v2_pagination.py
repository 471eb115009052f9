from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="V2Pagination")


@_attrs_define
class V2Pagination:
    """Cursor pagination of a v2 list. Cursors are opaque tokens: follow one by re-issuing the
    same request with `cursor=<token>`. There is no total count.

        Example:
            {'next_cursor': None, 'previous_cursor': None, 'per_page': 50}

    """

    next_cursor: None | str
    """ The next page's cursor; null on the last page. """
    previous_cursor: None | str
    """ The previous page's cursor; null on the first page. """
    per_page: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        next_cursor: None | str
        next_cursor = self.next_cursor

        previous_cursor: None | str
        previous_cursor = self.previous_cursor

        per_page = self.per_page

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "next_cursor": next_cursor,
                "previous_cursor": previous_cursor,
                "per_page": per_page,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        def _parse_previous_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_cursor = _parse_previous_cursor(d.pop("previous_cursor"))

        per_page = d.pop("per_page")

        v2_pagination = cls(
            next_cursor=next_cursor,
            previous_cursor=previous_cursor,
            per_page=per_page,
        )

        v2_pagination.additional_properties = d
        return v2_pagination

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
