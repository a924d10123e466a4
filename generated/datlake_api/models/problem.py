from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """RFC 9457 problem details

    Attributes:
        type_ (str): the problem kind, a URI reference; this server's kinds are
            `/problems/invalid-request`,
            `/problems/invalid-body`,
            `/problems/unauthorized`,
            `/problems/run-not-found`,
            `/problems/table-not-found`,
            `/problems/snapshot-not-found`,
            `/problems/object-not-found`,
            `/problems/cursor-not-found`,
            `/problems/run-finished`,
            `/problems/idempotency-key-reused`,
            `/problems/id-conflict`,
            `/problems/checksum-mismatch`,
            `/problems/rate-limited`,
            `/problems/internal`,
            `/problems/unavailable`.
        title (str):
        status (int):
        request_id (str):
        detail (str | Unset):
        instance (str | Unset):
    """

    type_: str
    title: str
    status: int
    request_id: str
    detail: str | Unset = UNSET
    instance: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        request_id = self.request_id

        detail = self.detail

        instance = self.instance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
                "request_id": request_id,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if instance is not UNSET:
            field_dict["instance"] = instance

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        request_id = d.pop("request_id")

        detail = d.pop("detail", UNSET)

        instance = d.pop("instance", UNSET)

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            request_id=request_id,
            detail=detail,
            instance=instance,
        )

        problem.additional_properties = d
        return problem

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
