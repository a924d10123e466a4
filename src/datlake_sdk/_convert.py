"""Generated models to domain types (and back for request bodies): the only module that knows both.

Generated free-form objects are classes with `additional_properties`; optional fields may be
`UNSET`. Users never see either.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from datlake_api.types import UNSET, Unset

from ._lazy import lazy
from ._types import (
    Artifact,
    Event,
    Health,
    JobInfo,
    Lease,
    LineageEdge,
    LineageGraph,
    LineageNode,
    MetricPoint,
    MetricSeries,
    ObjectInfo,
    Page,
    Progress,
    Run,
    RunLog,
    SnapshotInfo,
    TableInfo,
    TelemetryReceipt,
    UriInfo,
)

if TYPE_CHECKING:
    import httpx
    from datlake_api import models as api
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")


T = TypeVar("T")


def set_or_none(value: T | Unset) -> T | None:
    """`UNSET` (the field was absent) reads as `None`."""
    return None if isinstance(value, Unset) else value


def free_form(value: Mapping[str, Any] | None) -> api.FreeForm | Unset:
    """A user's dict as a generated free-form body field (`UNSET` leaves it out)."""
    return UNSET if value is None else api.FreeForm.from_dict(value)


def json_object(value: Any) -> dict[str, Any] | None:
    """A generated free-form field (or a plain dict, or nothing) as a plain dict."""
    if value is None or isinstance(value, Unset):
        return None
    if isinstance(value, Mapping):
        return dict(value)
    return dict(value.to_dict())


def _unset_if_none(value: T | None) -> T | Unset:
    return UNSET if value is None else value


def artifact(model: api.Artifact) -> Artifact:
    return Artifact(
        type=model.type_,
        uri=model.uri,
        name=set_or_none(model.name),
        content_type=set_or_none(model.content_type),
        size=set_or_none(model.size),
        sha256=set_or_none(model.sha256),
        metadata=json_object(model.metadata),
    )


def artifact_model(value: Artifact) -> api.Artifact:
    return api.Artifact(
        type_=value.type,
        uri=value.uri,
        name=_unset_if_none(value.name),
        content_type=_unset_if_none(value.content_type),
        size=_unset_if_none(value.size),
        sha256=_unset_if_none(value.sha256),
        metadata=free_form(value.metadata),
    )


def progress(model: api.Progress) -> Progress:
    return Progress(
        done=model.done,
        total=set_or_none(model.total),
        message=set_or_none(model.message),
        updated_at=model.updated_at,
    )


def maybe_progress(model: api.Progress | Unset) -> Progress | None:
    return progress(model) if isinstance(model, api.Progress) else None


def progress_model(value: Progress) -> api.ProgressUpdate:
    return api.ProgressUpdate(
        done=value.done, total=_unset_if_none(value.total), message=_unset_if_none(value.message)
    )


def metric_model(point: MetricPoint) -> api.MetricPoint:
    return api.MetricPoint(
        name=point.name,
        value=point.value,
        step=_unset_if_none(point.step),
        unit=_unset_if_none(point.unit),
        recorded_at=_unset_if_none(point.recorded_at),
    )


def metric_series(model: api.MetricSeriesList) -> tuple[MetricSeries, ...]:
    return tuple(
        MetricSeries(
            name=series.name,
            unit=set_or_none(series.unit),
            points=tuple(
                MetricPoint(
                    series.name,
                    point.value,
                    set_or_none(point.step),
                    set_or_none(series.unit),
                    recorded_at=point.recorded_at,
                )
                for point in series.points
            ),
        )
        for series in model.series
    )


def telemetry_receipt(model: api.TelemetryReceipt) -> TelemetryReceipt:
    return TelemetryReceipt(model.metrics, model.log_chunks, maybe_progress(model.progress))


def run_log(model: api.RunLog) -> RunLog:
    return RunLog(text=model.text, next_chunk=model.next_chunk)


def snapshot(model: api.Snapshot) -> SnapshotInfo:
    return SnapshotInfo(
        table_name=model.table_name,
        snapshot_id=model.snapshot_id,
        uri=model.uri,
        format=model.format_,
        schema=json_object(model.schema),
        job_name=model.job_name,
        run_id=model.run_id,
        created_at=model.created_at,
    )


def uri_info(model: api.Snapshot) -> UriInfo:
    return UriInfo(
        table_name=model.table_name,
        uri=model.uri,
        format=model.format_,
        schema=json_object(model.schema),
        snapshot_id=model.snapshot_id,
    )


def run(model: api.Run) -> Run:
    return Run(
        model.job_name,
        model.run_id,
        status=str(model.status),
        created_at=model.created_at,
        finished_at=set_or_none(model.finished_at),
        metadata=json_object(model.metadata) or {},
        extra=json_object(model.extra) or {},
        artifacts=tuple(artifact(item) for item in model.artifacts),
        inputs=tuple(snapshot(item) for item in model.inputs),
        outputs=tuple(snapshot(item) for item in model.outputs),
        last_heartbeat_at=set_or_none(model.last_heartbeat_at),
        lease_expires_at=set_or_none(model.lease_expires_at),
        parent_run_id=set_or_none(model.parent_run_id),
        progress=maybe_progress(model.progress),
    )


_RUN_STATUSES = frozenset({"running", "succeeded", "failed", "lost"})  # the contract's RunStatus
_RUN_TIMES = ("finished_at", "last_heartbeat_at", "lease_expires_at")


def plain_run(status: int) -> Callable[[httpx.Response], Run | None]:
    """What `start_run` and most `complete_run` calls get back, read straight from the JSON:
    a `status` answer holding a `Run` without artifacts, inputs, outputs or progress, else
    `None` (then the generated model reads it, and `run` converts that, as for any other
    answer). It returns what those two would, or `None`: it never accepts a body they refuse
    (tests/contract/test_plain_run.py checks both against the spec's answers and changes of
    them), and reads the body once instead of twice.

    >>> import httpx
    >>> body = {"job_name": "j", "run_id": "r1", "status": "running", "metadata": {},
    ...         "extra": {}, "created_at": "2026-11-27T01:00:00Z", "artifacts": [],
    ...         "inputs": [], "outputs": []}
    >>> plain_run(201)(httpx.Response(201, json=body)).status
    'running'
    >>> plain_run(201)(httpx.Response(201, json={**body, "artifacts": [{"type": "log"}]}))
    """

    def read(response: httpx.Response) -> Run | None:
        if response.status_code != status:
            return None
        body = response.json()
        if not (
            type(body) is dict
            and body.get("artifacts") == []
            and body.get("inputs") == []
            and body.get("outputs") == []
            and "progress" not in body
            and body.get("status") in _RUN_STATUSES
            and type(metadata := body.get("metadata")) is dict
            and type(extra := body.get("extra")) is dict
            and type(parent := body.get("parent_run_id")) in (str, type(None))
        ):
            return None
        times = [body.get(name) for name in _RUN_TIMES]
        if not all(time is None or type(time) is str for time in times):
            return None
        finished, heartbeat, expires = (
            None if time is None else datetime.datetime.fromisoformat(time) for time in times
        )
        return Run(
            body["job_name"],
            body["run_id"],
            status=body["status"],
            created_at=datetime.datetime.fromisoformat(body["created_at"]),
            finished_at=finished,
            metadata=metadata,
            extra=extra,
            last_heartbeat_at=heartbeat,
            lease_expires_at=expires,
            parent_run_id=parent,
        )

    return read


def run_page(model: api.RunPage) -> Page[Run]:
    return Page(tuple(run(item) for item in model.items), model.next_cursor)


def snapshot_page(model: api.SnapshotPage) -> Page[SnapshotInfo]:
    return Page(tuple(snapshot(item) for item in model.items), model.next_cursor)


def job_page(model: api.JobPage) -> Page[JobInfo]:
    return Page(
        tuple(JobInfo(item.job_name, item.run_count, run(item.latest_run)) for item in model.items),
        model.next_cursor,
    )


def table_page(model: api.TablePage) -> Page[TableInfo]:
    return Page(
        tuple(
            TableInfo(item.table_name, item.snapshot_count, snapshot(item.latest_snapshot))
            for item in model.items
        ),
        model.next_cursor,
    )


def lineage_graph(model: api.LineageGraph) -> LineageGraph:
    return LineageGraph(
        root=model.root,
        direction=str(model.direction),
        depth=model.depth,
        nodes=tuple(
            LineageNode(
                id=node.id,
                kind=str(node.kind),
                name=node.name,
                job_name=set_or_none(node.job_name),
                run_id=set_or_none(node.run_id),
                status=None if isinstance(node.status, Unset) else str(node.status),
                history_truncated=bool(set_or_none(node.history_truncated)),
            )
            for node in model.nodes
        ),
        edges=tuple(
            LineageEdge(
                source=edge.source,
                target=edge.target,
                kind=str(edge.kind),
                snapshot_id=set_or_none(edge.snapshot_id),
            )
            for edge in model.edges
        ),
        truncated=bool(set_or_none(model.truncated)),
    )


def object_info(model: api.ObjectReceipt) -> ObjectInfo:
    return ObjectInfo(
        bucket=model.bucket,
        object_name=model.object_,
        uri=model.uri,
        size=model.size,
        sha256=model.sha256,
    )


def lease(model: api.Lease) -> Lease:
    return Lease(
        job_name=model.job_name,
        run_id=model.run_id,
        status=str(model.status),
        last_heartbeat_at=model.last_heartbeat_at,
        lease_expires_at=model.lease_expires_at,
    )


def event(model: api.Event) -> Event:
    return Event(
        event_id=model.event_id,
        job_name=model.job_name,
        run_id=model.run_id,
        kind=str(model.kind),
        message=set_or_none(model.message),
        data=json_object(model.data) or {},
        created_at=model.created_at,
    )


def event_page(model: api.EventPage) -> Page[Event]:
    return Page(tuple(event(item) for item in model.items), model.next_cursor)


def health(model: api.Health) -> Health:
    return Health(status=str(model.status), version=model.version)
