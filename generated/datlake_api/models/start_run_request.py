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
    """
    Attributes:
        metadata (FreeForm | Unset): free-form JSON object
        parent_run_id (str | Unset):
    """

    metadata: FreeForm | Unset = UNSET
    parent_run_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        parent_run_id = self.parent_run_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if parent_run_id is not UNSET:
            field_dict["parent_run_id"] = parent_run_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        _metadata = d.pop("metadata", UNSET)
        metadata: FreeForm | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = FreeForm.from_dict(_metadata)

        parent_run_id = d.pop("parent_run_id", UNSET)

        start_run_request = cls(
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
