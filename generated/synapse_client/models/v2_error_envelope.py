from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.v2_error import V2Error
    from ..models.v2_meta import V2Meta


T = TypeVar("T", bound="V2ErrorEnvelope")


@_attrs_define
class V2ErrorEnvelope:
    """A v2 error answer (400).

    Example:
        {'error': {'code': 'VALIDATION_ERROR', 'message': 'Invalid input.', 'details': [{'field': 'files', 'message':
            'This field is required.'}]}, 'meta': {'request_id': 'req_abc123def456'}}

    """

    error: V2Error
    """ What went wrong. """
    meta: V2Meta
    """ The `meta` of a v2 answer. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict()

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.v2_error import V2Error
        from ..models.v2_meta import V2Meta

        d = dict(src_dict)
        error = V2Error.from_dict(d.pop("error"))

        meta = V2Meta.from_dict(d.pop("meta"))

        v2_error_envelope = cls(
            error=error,
            meta=meta,
        )

        v2_error_envelope.additional_properties = d
        return v2_error_envelope

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
