from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.run_status import RunStatus

T = TypeVar("T", bound="Lease")


@_attrs_define
class Lease:
    """
    Attributes:
        job_name (str):
        run_id (str):
        status (RunStatus): `running` from the start; `succeeded` or `failed` once completed, and final. `lost` is
            a `running` run whose lease (`Run.lease_expires_at`) ran out: computed when read, not
            final (a heartbeat makes it `running` again, a completion records its outcome).
        last_heartbeat_at (datetime.datetime):
        lease_expires_at (datetime.datetime):
    """

    job_name: str
    run_id: str
    status: RunStatus
    last_heartbeat_at: datetime.datetime
    lease_expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_name = self.job_name

        run_id = self.run_id

        status = self.status.value

        last_heartbeat_at = self.last_heartbeat_at.isoformat()

        lease_expires_at = self.lease_expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "job_name": job_name,
                "run_id": run_id,
                "status": status,
                "last_heartbeat_at": last_heartbeat_at,
                "lease_expires_at": lease_expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        job_name = d.pop("job_name")

        run_id = d.pop("run_id")

        status = RunStatus(d.pop("status"))

        last_heartbeat_at = datetime.datetime.fromisoformat(d.pop("last_heartbeat_at"))

        lease_expires_at = datetime.datetime.fromisoformat(d.pop("lease_expires_at"))

        lease = cls(
            job_name=job_name,
            run_id=run_id,
            status=status,
            last_heartbeat_at=last_heartbeat_at,
            lease_expires_at=lease_expires_at,
        )

        lease.additional_properties = d
        return lease

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
