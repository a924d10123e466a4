from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.artifact import Artifact
    from ..models.free_form import FreeForm


T = TypeVar("T", bound="CompleteRunRequest")


@_attrs_define
class CompleteRunRequest:
    """
    Attributes:
        success (bool):
        extra (FreeForm | Unset): free-form JSON object
        artifacts (list[Artifact] | Unset):
    """

    success: bool
    extra: FreeForm | Unset = UNSET
    artifacts: list[Artifact] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        extra: dict[str, Any] | Unset = UNSET
        if not isinstance(self.extra, Unset):
            extra = self.extra.to_dict()

        artifacts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.artifacts, Unset):
            artifacts = []
            for artifacts_item_data in self.artifacts:
                artifacts_item = artifacts_item_data.to_dict()
                artifacts.append(artifacts_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
            }
        )
        if extra is not UNSET:
            field_dict["extra"] = extra
        if artifacts is not UNSET:
            field_dict["artifacts"] = artifacts

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.artifact import Artifact
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        success = d.pop("success")

        _extra = d.pop("extra", UNSET)
        extra: FreeForm | Unset
        if isinstance(_extra, Unset):
            extra = UNSET
        else:
            extra = FreeForm.from_dict(_extra)

        _artifacts = d.pop("artifacts", UNSET)
        artifacts: list[Artifact] | Unset = UNSET
        if _artifacts is not UNSET:
            artifacts = []
            for artifacts_item_data in _artifacts:
                artifacts_item = Artifact.from_dict(artifacts_item_data)

                artifacts.append(artifacts_item)

        complete_run_request = cls(
            success=success,
            extra=extra,
            artifacts=artifacts,
        )

        complete_run_request.additional_properties = d
        return complete_run_request

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
