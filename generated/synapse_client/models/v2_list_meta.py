from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.v2_pagination import V2Pagination


T = TypeVar("T", bound="V2ListMeta")


@_attrs_define
class V2ListMeta:
    """The `meta` of a v2 list answer.

    Example:
        {'request_id': 'req_abc123def456', 'pagination': {'next_cursor': None, 'previous_cursor': None, 'per_page': 50}}

    """

    request_id: str
    pagination: V2Pagination
    """ Cursor pagination of a v2 list. Cursors are opaque tokens: follow one by re-issuing the
    same request with `cursor=<token>`. There is no total count.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        pagination = self.pagination.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "request_id": request_id,
                "pagination": pagination,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.v2_pagination import V2Pagination

        d = dict(src_dict)
        request_id = d.pop("request_id")

        pagination = V2Pagination.from_dict(d.pop("pagination"))

        v2_list_meta = cls(
            request_id=request_id,
            pagination=pagination,
        )

        v2_list_meta.additional_properties = d
        return v2_list_meta

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
