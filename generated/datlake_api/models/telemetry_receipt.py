from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.progress import Progress


T = TypeVar("T", bound="TelemetryReceipt")


@_attrs_define
class TelemetryReceipt:
    """what a batch recorded; `progress` is the run's latest (absent before any)

    Attributes:
        metrics (int): the metric points recorded
        log_chunks (int): the log chunks recorded (a chunk seen before is not counted)
        progress (Progress | Unset): a run's latest progress (v1.3; absent from a run that reported none)
    """

    metrics: int
    log_chunks: int
    progress: Progress | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metrics = self.metrics

        log_chunks = self.log_chunks

        progress: dict[str, Any] | Unset = UNSET
        if not isinstance(self.progress, Unset):
            progress = self.progress.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metrics": metrics,
                "log_chunks": log_chunks,
            }
        )
        if progress is not UNSET:
            field_dict["progress"] = progress

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.progress import Progress

        d = dict(src_dict)
        metrics = d.pop("metrics")

        log_chunks = d.pop("log_chunks")

        _progress = d.pop("progress", UNSET)
        progress: Progress | Unset
        if isinstance(_progress, Unset):
            progress = UNSET
        else:
            progress = Progress.from_dict(_progress)

        telemetry_receipt = cls(
            metrics=metrics,
            log_chunks=log_chunks,
            progress=progress,
        )

        telemetry_receipt.additional_properties = d
        return telemetry_receipt

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
