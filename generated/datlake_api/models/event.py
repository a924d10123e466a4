from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_kind import EventKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.free_form import FreeForm


T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """
    Attributes:
        event_id (str):
        job_name (str):
        run_id (str):
        kind (EventKind):
        data (FreeForm): free-form JSON object
        created_at (datetime.datetime):
        message (None | str | Unset):
    """

    event_id: str
    job_name: str
    run_id: str
    kind: EventKind
    data: FreeForm
    created_at: datetime.datetime
    message: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        job_name = self.job_name

        run_id = self.run_id

        kind = self.kind.value

        data = self.data.to_dict()

        created_at = self.created_at.isoformat()

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "job_name": job_name,
                "run_id": run_id,
                "kind": kind,
                "data": data,
                "created_at": created_at,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        event_id = d.pop("event_id")

        job_name = d.pop("job_name")

        run_id = d.pop("run_id")

        kind = EventKind(d.pop("kind"))

        data = FreeForm.from_dict(d.pop("data"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        event = cls(
            event_id=event_id,
            job_name=job_name,
            run_id=run_id,
            kind=kind,
            data=data,
            created_at=created_at,
            message=message,
        )

        event.additional_properties = d
        return event

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
