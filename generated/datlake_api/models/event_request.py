from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_kind import EventKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.free_form import FreeForm


T = TypeVar("T", bound="EventRequest")


@_attrs_define
class EventRequest:
    """
    Attributes:
        kind (EventKind):
        message (str | Unset):
        data (FreeForm | Unset): free-form JSON object
    """

    kind: EventKind
    message: str | Unset = UNSET
    data: FreeForm | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        message = self.message

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        kind = EventKind(d.pop("kind"))

        message = d.pop("message", UNSET)

        _data = d.pop("data", UNSET)
        data: FreeForm | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = FreeForm.from_dict(_data)

        event_request = cls(
            kind=kind,
            message=message,
            data=data,
        )

        event_request.additional_properties = d
        return event_request

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
