from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ObjectReceipt")


@_attrs_define
class ObjectReceipt:
    """
    Attributes:
        bucket (str):
        object_ (str):
        uri (str): `datlake://<bucket>/<object>`
        size (int):
        sha256 (str):
    """

    bucket: str
    object_: str
    uri: str
    size: int
    sha256: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bucket = self.bucket

        object_ = self.object_

        uri = self.uri

        size = self.size

        sha256 = self.sha256

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bucket": bucket,
                "object": object_,
                "uri": uri,
                "size": size,
                "sha256": sha256,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        bucket = d.pop("bucket")

        object_ = d.pop("object")

        uri = d.pop("uri")

        size = d.pop("size")

        sha256 = d.pop("sha256")

        object_receipt = cls(
            bucket=bucket,
            object_=object_,
            uri=uri,
            size=size,
            sha256=sha256,
        )

        object_receipt.additional_properties = d
        return object_receipt

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
