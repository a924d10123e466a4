from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.log_chunk import LogChunk
    from ..models.metric_point import MetricPoint
    from ..models.progress_update import ProgressUpdate


T = TypeVar("T", bound="TelemetryBatch")


@_attrs_define
class TelemetryBatch:
    """
    Attributes:
        metrics (list[MetricPoint] | Unset):
        progress (ProgressUpdate | Unset): how far a run got; `total` is absent when unknown
        log (list[LogChunk] | Unset):
    """

    metrics: list[MetricPoint] | Unset = UNSET
    progress: ProgressUpdate | Unset = UNSET
    log: list[LogChunk] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metrics: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.metrics, Unset):
            metrics = []
            for metrics_item_data in self.metrics:
                metrics_item = metrics_item_data.to_dict()
                metrics.append(metrics_item)

        progress: dict[str, Any] | Unset = UNSET
        if not isinstance(self.progress, Unset):
            progress = self.progress.to_dict()

        log: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.log, Unset):
            log = []
            for log_item_data in self.log:
                log_item = log_item_data.to_dict()
                log.append(log_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if metrics is not UNSET:
            field_dict["metrics"] = metrics
        if progress is not UNSET:
            field_dict["progress"] = progress
        if log is not UNSET:
            field_dict["log"] = log

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.log_chunk import LogChunk
        from ..models.metric_point import MetricPoint
        from ..models.progress_update import ProgressUpdate

        d = dict(src_dict)
        _metrics = d.pop("metrics", UNSET)
        metrics: list[MetricPoint] | Unset = UNSET
        if _metrics is not UNSET:
            metrics = []
            for metrics_item_data in _metrics:
                metrics_item = MetricPoint.from_dict(metrics_item_data)

                metrics.append(metrics_item)

        _progress = d.pop("progress", UNSET)
        progress: ProgressUpdate | Unset
        if isinstance(_progress, Unset):
            progress = UNSET
        else:
            progress = ProgressUpdate.from_dict(_progress)

        _log = d.pop("log", UNSET)
        log: list[LogChunk] | Unset = UNSET
        if _log is not UNSET:
            log = []
            for log_item_data in _log:
                log_item = LogChunk.from_dict(log_item_data)

                log.append(log_item)

        telemetry_batch = cls(
            metrics=metrics,
            progress=progress,
            log=log,
        )

        telemetry_batch.additional_properties = d
        return telemetry_batch

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
