from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.free_form import FreeForm


T = TypeVar("T", bound="Artifact")


@_attrs_define
class Artifact:
    """Something a run produced besides its tables. `type` is one of `log`, `report`,
    `model`, `metrics`, `plot`, `sample`, `other` or `file`, or a type of your own; the
    other fields are optional (v1.3): a name, the content type, the size in bytes, the
    SHA-256 of the bytes and free-form metadata.

        Attributes:
            type_ (str): what the artifact is, e.g. `log` or `report`
            uri (str):
            name (str | Unset):
            content_type (str | Unset):
            size (int | Unset):
            sha256 (str | Unset):
            metadata (FreeForm | Unset): free-form JSON object
    """

    type_: str
    uri: str
    name: str | Unset = UNSET
    content_type: str | Unset = UNSET
    size: int | Unset = UNSET
    sha256: str | Unset = UNSET
    metadata: FreeForm | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        uri = self.uri

        name = self.name

        content_type = self.content_type

        size = self.size

        sha256 = self.sha256

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "uri": uri,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if content_type is not UNSET:
            field_dict["content_type"] = content_type
        if size is not UNSET:
            field_dict["size"] = size
        if sha256 is not UNSET:
            field_dict["sha256"] = sha256
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        type_ = d.pop("type")

        uri = d.pop("uri")

        name = d.pop("name", UNSET)

        content_type = d.pop("content_type", UNSET)

        size = d.pop("size", UNSET)

        sha256 = d.pop("sha256", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: FreeForm | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = FreeForm.from_dict(_metadata)

        artifact = cls(
            type_=type_,
            uri=uri,
            name=name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            metadata=metadata,
        )

        artifact.additional_properties = d
        return artifact

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
