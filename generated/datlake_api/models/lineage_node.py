from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.lineage_node_kind import LineageNodeKind
from ..models.lineage_node_status import LineageNodeStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="LineageNode")


@_attrs_define
class LineageNode:
    """
    Attributes:
        id (str): `table:<name>` or `run:<job>/<run_id>`
        kind (LineageNodeKind):
        name (str): the table's name, or the run's job name
        job_name (None | str | Unset):
        run_id (None | str | Unset):
        status (LineageNodeStatus | Unset): the run's status, for run nodes
        history_truncated (bool | None | Unset): for table nodes (v1.3): true when older snapshots or reads of the table
            than the
            `history` newest were left out; page them with `list_snapshots`
    """

    id: str
    kind: LineageNodeKind
    name: str
    job_name: None | str | Unset = UNSET
    run_id: None | str | Unset = UNSET
    status: LineageNodeStatus | Unset = UNSET
    history_truncated: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        name = self.name

        job_name: None | str | Unset
        if isinstance(self.job_name, Unset):
            job_name = UNSET
        else:
            job_name = self.job_name

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        history_truncated: bool | None | Unset
        if isinstance(self.history_truncated, Unset):
            history_truncated = UNSET
        else:
            history_truncated = self.history_truncated

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "name": name,
            }
        )
        if job_name is not UNSET:
            field_dict["job_name"] = job_name
        if run_id is not UNSET:
            field_dict["run_id"] = run_id
        if status is not UNSET:
            field_dict["status"] = status
        if history_truncated is not UNSET:
            field_dict["history_truncated"] = history_truncated

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        kind = LineageNodeKind(d.pop("kind"))

        name = d.pop("name")

        def _parse_job_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_name = _parse_job_name(d.pop("job_name", UNSET))

        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("run_id", UNSET))

        _status = d.pop("status", UNSET)
        status: LineageNodeStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = LineageNodeStatus(_status)

        def _parse_history_truncated(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        history_truncated = _parse_history_truncated(d.pop("history_truncated", UNSET))

        lineage_node = cls(
            id=id,
            kind=kind,
            name=name,
            job_name=job_name,
            run_id=run_id,
            status=status,
            history_truncated=history_truncated,
        )

        lineage_node.additional_properties = d
        return lineage_node

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
