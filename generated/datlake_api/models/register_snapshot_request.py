from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.free_form import FreeForm


T = TypeVar("T", bound="RegisterSnapshotRequest")


@_attrs_define
class RegisterSnapshotRequest:
    """the client may choose `snapshot_id`; the server makes one when it is absent

    Attributes:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a client may choose its
            own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so that a write has its identity before it is
            sent and a replay of it is recognised
        table_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        uri (str):
        format_ (str):
        snapshot_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a client may
            choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so that a write has its identity
            before it is sent and a replay of it is recognised
        schema (FreeForm | Unset): free-form JSON object
    """

    job_name: str
    run_id: str
    table_name: str
    uri: str
    format_: str
    snapshot_id: str | Unset = UNSET
    schema: FreeForm | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_name = self.job_name

        run_id = self.run_id

        table_name = self.table_name

        uri = self.uri

        format_ = self.format_

        snapshot_id = self.snapshot_id

        schema: dict[str, Any] | Unset = UNSET
        if not isinstance(self.schema, Unset):
            schema = self.schema.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "job_name": job_name,
                "run_id": run_id,
                "table_name": table_name,
                "uri": uri,
                "format": format_,
            }
        )
        if snapshot_id is not UNSET:
            field_dict["snapshot_id"] = snapshot_id
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.free_form import FreeForm

        d = dict(src_dict)
        job_name = d.pop("job_name")

        run_id = d.pop("run_id")

        table_name = d.pop("table_name")

        uri = d.pop("uri")

        format_ = d.pop("format")

        snapshot_id = d.pop("snapshot_id", UNSET)

        _schema = d.pop("schema", UNSET)
        schema: FreeForm | Unset
        if isinstance(_schema, Unset):
            schema = UNSET
        else:
            schema = FreeForm.from_dict(_schema)

        register_snapshot_request = cls(
            job_name=job_name,
            run_id=run_id,
            table_name=table_name,
            uri=uri,
            format_=format_,
            snapshot_id=snapshot_id,
            schema=schema,
        )

        register_snapshot_request.additional_properties = d
        return register_snapshot_request

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
