from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.free_form import FreeForm


T = TypeVar("T", bound="StartRunRequest")


@_attrs_define
class StartRunRequest:
    """the client may choose `run_id`; the server makes one when it is absent

    Attributes:
        run_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a client may
            choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so that a write has its identity
            before it is sent and a replay of it is recognised
        metadata (FreeForm | Unset): free-form JSON object
        parent_run_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a client
            may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so that a write has its identity
            before it is sent and a replay of it is recognised
    """

    run_id: str | Unset = UNSET
    metadata: FreeForm | Unset = UNSET
    parent_run_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        run_id = self.run_id

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        parent_run_id = self.parent_run_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if run_id is not UNSET:
            field_dict["run_id"] = run_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if parent_run_id is not UNSET:
            field_dict["parent_run_id"] = parent_run_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        run_id = d.pop("run_id", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: FreeForm | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = FreeForm.from_dict(_metadata)

        parent_run_id = d.pop("parent_run_id", UNSET)

        start_run_request = cls(
            run_id=run_id,
            metadata=metadata,
            parent_run_id=parent_run_id,
        )

        start_run_request.additional_properties = d
        return start_run_request

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
