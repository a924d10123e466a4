from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.snapshot_schema_type_0 import SnapshotSchemaType0


T = TypeVar("T", bound="Snapshot")


@_attrs_define
class Snapshot:
    """
    Attributes:
        table_name (str):
        snapshot_id (str):
        uri (str):
        format_ (str):
        job_name (str):
        run_id (str):
        created_at (datetime.datetime):
        schema (None | SnapshotSchemaType0 | Unset):
    """

    table_name: str
    snapshot_id: str
    uri: str
    format_: str
    job_name: str
    run_id: str
    created_at: datetime.datetime
    schema: None | SnapshotSchemaType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.snapshot_schema_type_0 import SnapshotSchemaType0

        table_name = self.table_name

        snapshot_id = self.snapshot_id

        uri = self.uri

        format_ = self.format_

        job_name = self.job_name

        run_id = self.run_id

        created_at = self.created_at.isoformat()

        schema: dict[str, Any] | None | Unset
        if isinstance(self.schema, Unset):
            schema = UNSET
        elif isinstance(self.schema, SnapshotSchemaType0):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "table_name": table_name,
                "snapshot_id": snapshot_id,
                "uri": uri,
                "format": format_,
                "job_name": job_name,
                "run_id": run_id,
                "created_at": created_at,
            }
        )
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.snapshot_schema_type_0 import SnapshotSchemaType0

        d = dict(src_dict)
        table_name = d.pop("table_name")

        snapshot_id = d.pop("snapshot_id")

        uri = d.pop("uri")

        format_ = d.pop("format")

        job_name = d.pop("job_name")

        run_id = d.pop("run_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_schema(data: object) -> None | SnapshotSchemaType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = SnapshotSchemaType0.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SnapshotSchemaType0 | Unset, data)

        schema = _parse_schema(d.pop("schema", UNSET))

        snapshot = cls(
            table_name=table_name,
            snapshot_id=snapshot_id,
            uri=uri,
            format_=format_,
            job_name=job_name,
            run_id=run_id,
            created_at=created_at,
            schema=schema,
        )

        snapshot.additional_properties = d
        return snapshot

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
