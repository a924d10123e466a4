from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.open_lineage_run_event_event_type import OpenLineageRunEventEventType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.open_lineage_dataset import OpenLineageDataset
    from ..models.open_lineage_job import OpenLineageJob
    from ..models.open_lineage_run import OpenLineageRun


T = TypeVar("T", bound="OpenLineageRunEvent")


@_attrs_define
class OpenLineageRunEvent:
    """An OpenLineage RunEvent (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent):
    the members Datlake reads are listed; any other member and facet is accepted.

        Attributes:
            event_time (str): an RFC 3339 date-time (kept as sent; Datlake records its own times)
            producer (str):
            schema_url (str):
            run (OpenLineageRun):
            job (OpenLineageJob):
            event_type (OpenLineageRunEventEventType | Unset):
            inputs (list[OpenLineageDataset] | Unset):
            outputs (list[OpenLineageDataset] | Unset):
    """

    event_time: str
    producer: str
    schema_url: str
    run: OpenLineageRun
    job: OpenLineageJob
    event_type: OpenLineageRunEventEventType | Unset = UNSET
    inputs: list[OpenLineageDataset] | Unset = UNSET
    outputs: list[OpenLineageDataset] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_time = self.event_time

        producer = self.producer

        schema_url = self.schema_url

        run = self.run.to_dict()

        job = self.job.to_dict()

        event_type: str | Unset = UNSET
        if not isinstance(self.event_type, Unset):
            event_type = self.event_type.value

        inputs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.inputs, Unset):
            inputs = []
            for inputs_item_data in self.inputs:
                inputs_item = inputs_item_data.to_dict()
                inputs.append(inputs_item)

        outputs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.outputs, Unset):
            outputs = []
            for outputs_item_data in self.outputs:
                outputs_item = outputs_item_data.to_dict()
                outputs.append(outputs_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "eventTime": event_time,
                "producer": producer,
                "schemaURL": schema_url,
                "run": run,
                "job": job,
            }
        )
        if event_type is not UNSET:
            field_dict["eventType"] = event_type
        if inputs is not UNSET:
            field_dict["inputs"] = inputs
        if outputs is not UNSET:
            field_dict["outputs"] = outputs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.open_lineage_dataset import OpenLineageDataset
        from ..models.open_lineage_job import OpenLineageJob
        from ..models.open_lineage_run import OpenLineageRun

        d = dict(src_dict)
        event_time = d.pop("eventTime")

        producer = d.pop("producer")

        schema_url = d.pop("schemaURL")

        run = OpenLineageRun.from_dict(d.pop("run"))

        job = OpenLineageJob.from_dict(d.pop("job"))

        _event_type = d.pop("eventType", UNSET)
        event_type: OpenLineageRunEventEventType | Unset
        if isinstance(_event_type, Unset):
            event_type = UNSET
        else:
            event_type = OpenLineageRunEventEventType(_event_type)

        _inputs = d.pop("inputs", UNSET)
        inputs: list[OpenLineageDataset] | Unset = UNSET
        if _inputs is not UNSET:
            inputs = []
            for inputs_item_data in _inputs:
                inputs_item = OpenLineageDataset.from_dict(inputs_item_data)

                inputs.append(inputs_item)

        _outputs = d.pop("outputs", UNSET)
        outputs: list[OpenLineageDataset] | Unset = UNSET
        if _outputs is not UNSET:
            outputs = []
            for outputs_item_data in _outputs:
                outputs_item = OpenLineageDataset.from_dict(outputs_item_data)

                outputs.append(outputs_item)

        open_lineage_run_event = cls(
            event_time=event_time,
            producer=producer,
            schema_url=schema_url,
            run=run,
            job=job,
            event_type=event_type,
            inputs=inputs,
            outputs=outputs,
        )

        open_lineage_run_event.additional_properties = d
        return open_lineage_run_event

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
