from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.snapshot import Snapshot


T = TypeVar("T", bound="Table")


@_attrs_define
class Table:
    """a table that has snapshots, with its newest snapshot

    Attributes:
        table_name (str):
        snapshot_count (int):
        latest_snapshot (Snapshot):
    """

    table_name: str
    snapshot_count: int
    latest_snapshot: Snapshot
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        table_name = self.table_name

        snapshot_count = self.snapshot_count

        latest_snapshot = self.latest_snapshot.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "table_name": table_name,
                "snapshot_count": snapshot_count,
                "latest_snapshot": latest_snapshot,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.snapshot import Snapshot

        d = dict(src_dict)
        table_name = d.pop("table_name")

        snapshot_count = d.pop("snapshot_count")

        latest_snapshot = Snapshot.from_dict(d.pop("latest_snapshot"))

        table = cls(
            table_name=table_name,
            snapshot_count=snapshot_count,
            latest_snapshot=latest_snapshot,
        )

        table.additional_properties = d
        return table

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
