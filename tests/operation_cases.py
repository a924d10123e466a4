"""The one per-operation table: how to drive each spec operation through the SDK, what a
canned success looks like, and what the SDK must make of it; plus the (operation, status) cases
the spec documents, read from the spec itself so a newly documented status gets its own test.

`tests/contract` runs the cases against `DatlakeMock` (`test_contract_coverage` checks that
every operation and documented status of the spec has one); `tests/sdk/test_operations` runs
the same cases, and the SDK functions built on an operation (`BUILT_ON`), against respx to
check the exact request and every way the call can fail.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Artifact,
    AuthError,
    Conflict,
    Event,
    Health,
    JobInfo,
    Lease,
    LineageEdge,
    LineageGraph,
    LineageNode,
    MetricPoint,
    MetricSeries,
    NotFound,
    ObjectInfo,
    Page,
    Progress,
    Result,
    Run,
    RunLog,
    SDKError,
    ServerError,
    SnapshotInfo,
    TableInfo,
    TelemetryReceipt,
    Transient,
    UriInfo,
    ValidationError,
    complete_run,
    download_object,
    fetch_latest_uri,
    get_lineage,
    get_run,
    get_run_log,
    health,
    heartbeat,
    list_events,
    list_jobs,
    list_metrics,
    list_runs,
    list_snapshots,
    list_tables,
    make_log_artifact,
    post_event,
    post_telemetry,
    register_snapshot,
    start_run,
    upload_file,
    upload_object,
)
from datlake_sdk.openlineage import ingest_openlineage
from datlake_sdk.testing import Factories, spec_document

JSON = dict[str, Any]

RUN_ID = "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b"
RUN = Run("daily_users", RUN_ID)
WHEN = datetime.datetime(2026, 11, 27, 1, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 11, 27, 1, 1, tzinfo=datetime.UTC)
CONTENT = b"id,email\n1,a@example.com\n"
CONTENT_SHA256 = hashlib.sha256(CONTENT).hexdigest()
OBJECT_NAME = "jobs/daily_users/run.log"
OBJECT_INFO = ObjectInfo(
    "artifacts", OBJECT_NAME, f"datlake://artifacts/{OBJECT_NAME}", len(CONTENT), CONTENT_SHA256
)
LOG_URI = "datlake://artifacts/jobs/daily_users/r1/run.log"

Invoke = Callable[[DatlakeClient, Path], Result[Any, SDKError]]


@dataclass(frozen=True)
class OperationCase:
    """One operation as the contract tests drive it.

    - `invoke(client, workdir)` calls the SDK operation (`workdir` holds files to upload or
      download into).
    - `success(factories)` is the canned success body (bytes for binary answers).
    - `expected(workdir)` is the domain value the SDK must return for that body; it is compared
      field by field, including the fields a `Run` leaves out of `==`.
    - `path_params`, `query`, `json` and `headers` are what the request must carry beyond being
      valid (the mock checks validity): the resource addressed and the values passed in.
    - `retried`: whether the SDK retries a transient failure (idempotent requests only).
    - `problems`: the problem kind a status carries for this operation, where it is not the
      usual one in `ERRORS`.
    """

    invoke: Invoke
    success: Callable[[Factories], JSON | bytes]
    expected: Callable[[Path], object]
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    json: JSON | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    success_headers: Mapping[str, str] = field(default_factory=dict)
    check: Callable[[Path], None] | None = None
    retried: bool = True
    problems: Mapping[int, str] = field(default_factory=dict)


# What every documented error status must become: the typed error and the usual problem kind.
ERRORS: dict[int, tuple[type[SDKError], str]] = {
    400: (ValidationError, "invalid-request"),
    401: (AuthError, "unauthorized"),
    404: (NotFound, "run-not-found"),
    409: (Conflict, "run-finished"),
    422: (ValidationError, "invalid-body"),
    429: (Transient, "rate-limited"),
    500: (ServerError, "internal"),
    503: (Transient, "unavailable"),
}

_RAW = {
    "table_name": "users_raw",
    "snapshot_id": "9d1c7e2a4b6f4c8e9a0b1c2d3e4f5a6b",
    "uri": "file:///data/users_raw/part-0.csv",
    "format": "csv",
    "job_name": "ingest_users",
    "run_id": "0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d",
}
_CURATED = {
    "table_name": "users_curated",
    "snapshot_id": "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d",
    "uri": "file:///data/users_curated/part-0.parquet",
    "format": "parquet",
    "job_name": "daily_users",
    "run_id": RUN_ID,
}
_SCHEMA = {"id": "int64", "email": "string"}
RAW_INFO = SnapshotInfo(**_RAW, schema=None, created_at=WHEN)
CURATED_INFO = SnapshotInfo(**_CURATED, schema=_SCHEMA, created_at=WHEN)


def _raw(f: Factories) -> JSON:
    return f.snapshot(**_RAW)


def _curated(f: Factories) -> JSON:
    return f.snapshot(**_CURATED, schema=_SCHEMA)


def _running_run(**fields: Any) -> Run:
    base: dict[str, Any] = {
        "status": "running",
        "created_at": WHEN,
        "metadata": {"source": "s3"},
        "extra": {},
    }
    return Run("daily_users", RUN_ID, **{**base, **fields})


def _lineage() -> LineageGraph:
    run_node = f"run:daily_users/{RUN_ID}"
    return LineageGraph(
        root="users_curated",
        direction="upstream",
        depth=2,
        nodes=(
            LineageNode("table:users_raw", "table", "users_raw"),
            LineageNode(run_node, "run", "daily_users", "daily_users", RUN_ID, "succeeded"),
            LineageNode("table:users_curated", "table", "users_curated"),
        ),
        edges=(
            LineageEdge("table:users_raw", run_node, "read"),
            LineageEdge(run_node, "table:users_curated", "wrote"),
        ),
    )


def _log_file(workdir: Path) -> Path:
    source = workdir / "run.log"
    source.write_bytes(CONTENT)
    return source


def _upload(client: DatlakeClient, workdir: Path) -> Result[str, SDKError]:
    return upload_object(client, "artifacts", OBJECT_NAME, _log_file(workdir))


def _download(client: DatlakeClient, workdir: Path) -> Result[ObjectInfo, SDKError]:
    return download_object(client, "artifacts", OBJECT_NAME, workdir / "downloaded.csv")


def _downloaded_file_holds_the_bytes(workdir: Path) -> None:
    assert (workdir / "downloaded.csv").read_bytes() == CONTENT


_EVENT_JSON: JSON = {"kind": "progress", "message": "half way", "data": {"done": 50}}
_OPENLINEAGE_EVENT: JSON = {
    "eventType": "COMPLETE",
    "eventTime": "2026-11-27T01:05:00Z",
    "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/client/python",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "3f2a9c1e-5b7d-4e0f-8a6b-2c4d6e8f0a1b", "facets": {}},
    "job": {"namespace": "airflow", "name": "daily_users"},
    "inputs": [{"namespace": "s3://lake", "name": "users_raw"}],
    "outputs": [{"namespace": "s3://lake", "name": "users_curated", "facets": {"x": {"y": 1}}}],
}

OPERATIONS: dict[str, OperationCase] = {
    "start_run": OperationCase(
        invoke=lambda client, _: start_run(
            client, "daily_users", metadata={"source": "s3"}, run_id=RUN_ID
        ),
        success=lambda f: f.run(metadata={"source": "s3"}),
        expected=lambda _: _running_run(),
        path_params={"job_name": "daily_users"},
        json={"run_id": RUN_ID, "metadata": {"source": "s3"}},
        problems={409: "idempotency-key-reused"},
    ),
    "list_runs": OperationCase(
        invoke=lambda client, _: list_runs(client, "daily_users", status="running", limit=10),
        success=lambda f: f.run_page([f.run(metadata={"source": "s3"})], next_cursor="c-2"),
        expected=lambda _: Page((_running_run(),), next_cursor="c-2"),
        path_params={"job_name": "daily_users"},
        query={"status": "running", "limit": "10"},
        problems={404: "cursor-not-found"},
    ),
    "list_jobs": OperationCase(
        invoke=lambda client, _: list_jobs(client, prefix="daily", limit=10, cursor="j-1"),
        success=lambda f: f.job_page(
            [f.job(run_count=3, latest_run=f.run(metadata={"source": "s3"}))], next_cursor="j-2"
        ),
        expected=lambda _: Page((JobInfo("daily_users", 3, _running_run()),), next_cursor="j-2"),
        query={"prefix": "daily", "limit": "10", "cursor": "j-1"},
        problems={404: "cursor-not-found"},
    ),
    "get_run": OperationCase(
        invoke=lambda client, _: get_run(client, "daily_users", RUN_ID),
        success=lambda f: f.run(metadata={"source": "s3"}, inputs=[_raw(f)], outputs=[_curated(f)]),
        expected=lambda _: _running_run(inputs=(RAW_INFO,), outputs=(CURATED_INFO,)),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        problems={404: "run-not-found"},
    ),
    "complete_run": OperationCase(
        invoke=lambda client, _: complete_run(
            client, RUN, success=True, extra={"rows": 1200}, artifacts=[Artifact("log", LOG_URI)]
        ),
        success=lambda f: f.run(
            status="succeeded", extra={"rows": 1200}, artifacts=[{"type": "log", "uri": LOG_URI}]
        ),
        # the seed's promise: `complete_run` answers `Ok(None)` (`finish_run` returns the Run)
        expected=lambda _: None,
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        json={
            "success": True,
            "extra": {"rows": 1200},
            "artifacts": [{"type": "log", "uri": LOG_URI}],
        },
    ),
    "heartbeat": OperationCase(
        invoke=lambda client, _: heartbeat(client, RUN, lease_seconds=120),
        success=lambda f: f.lease(),
        expected=lambda _: Lease("daily_users", RUN_ID, "running", WHEN, LATER),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        json={"lease_seconds": 120},
    ),
    "post_event": OperationCase(
        invoke=lambda client, _: post_event(
            client, RUN, "progress", message="half way", data={"done": 50}
        ),
        success=lambda f: f.event(message="half way", data={"done": 50}),
        expected=lambda _: Event(
            "7e8f9a0b1c2d4e3f8a5b6c7d8e9f0a1b",
            "daily_users",
            RUN_ID,
            "progress",
            "half way",
            {"done": 50},
            WHEN,
        ),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        json=_EVENT_JSON,
    ),
    "list_events": OperationCase(
        invoke=lambda client, _: list_events(client, RUN, limit=5, cursor="c-1"),
        success=lambda f: f.event_page([f.event(kind="metric", data={"rows": 3})]),
        expected=lambda _: Page(
            (
                Event(
                    "7e8f9a0b1c2d4e3f8a5b6c7d8e9f0a1b",
                    "daily_users",
                    RUN_ID,
                    "metric",
                    None,
                    {"rows": 3},
                    WHEN,
                ),
            ),
            next_cursor=None,
        ),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        query={"limit": "5", "cursor": "c-1"},
    ),
    "post_telemetry": OperationCase(
        invoke=lambda client, _: post_telemetry(
            client,
            RUN,
            metrics=[MetricPoint("loss", 0.4, 1, recorded_at=WHEN)],
            progress=Progress(50, 100, "half way"),
            log=[(0, "reading users_raw\n")],
            log_source="w1",
        ),
        success=lambda f: f.telemetry_receipt(log_chunks=1, progress=f.progress()),
        expected=lambda _: TelemetryReceipt(1, 1, Progress(50, 100, "half way", updated_at=WHEN)),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        json={
            "metrics": [
                {
                    "name": "loss",
                    "value": 0.4,
                    "step": 1,
                    "recorded_at": "2026-11-27T01:00:00+00:00",
                }
            ],
            "progress": {"done": 50, "total": 100, "message": "half way"},
            "log": [{"source": "w1", "seq": 0, "text": "reading users_raw\n"}],
        },
    ),
    "list_metrics": OperationCase(
        invoke=lambda client, _: list_metrics(client, RUN, name="loss"),
        success=lambda f: f.metric_series_list(),
        expected=lambda _: (
            MetricSeries(
                "loss",
                None,
                (
                    MetricPoint("loss", 0.9, 0, recorded_at=WHEN),
                    MetricPoint("loss", 0.4, 1, recorded_at=WHEN),
                ),
            ),
        ),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        query={"name": "loss"},
    ),
    "get_run_log": OperationCase(
        invoke=lambda client, _: get_run_log(client, RUN, from_chunk=3),
        success=lambda f: f.run_log(next_chunk=4),
        expected=lambda _: RunLog("reading users_raw\n", 4),
        path_params={"job_name": "daily_users", "run_id": RUN_ID},
        query={"from_chunk": "3"},
    ),
    "register_snapshot": OperationCase(
        invoke=lambda client, _: register_snapshot(
            client,
            RUN,
            "users_curated",
            _CURATED["uri"],
            format="parquet",
            schema=_SCHEMA,
            snapshot_id=_CURATED["snapshot_id"],
        ),
        success=_curated,
        expected=lambda _: CURATED_INFO,
        json={
            "job_name": "daily_users",
            "run_id": RUN_ID,
            "snapshot_id": _CURATED["snapshot_id"],
            "table_name": "users_curated",
            "uri": _CURATED["uri"],
            "format": "parquet",
            "schema": _SCHEMA,
        },
    ),
    "fetch_latest_uri": OperationCase(
        invoke=lambda client, _: fetch_latest_uri(client, RUN, "users_raw"),
        success=_raw,
        expected=lambda _: UriInfo(
            "users_raw", _RAW["uri"], "csv", None, snapshot_id=_RAW["snapshot_id"]
        ),
        path_params={"table": "users_raw"},
        query={"run_id": RUN_ID, "job_name": "daily_users"},
        problems={404: "table-not-found"},
    ),
    "list_snapshots": OperationCase(
        invoke=lambda client, _: list_snapshots(client, "users_raw", limit=20),
        success=lambda f: f.snapshot_page([_raw(f)], next_cursor="s-2"),
        expected=lambda _: Page((RAW_INFO,), next_cursor="s-2"),
        path_params={"table": "users_raw"},
        query={"limit": "20"},
        problems={404: "cursor-not-found"},
    ),
    "list_tables": OperationCase(
        invoke=lambda client, _: list_tables(client, prefix="users_", limit=20),
        success=lambda f: f.table_page([f.table(snapshot_count=2, latest_snapshot=_raw(f))]),
        expected=lambda _: Page((TableInfo("users_raw", 2, RAW_INFO),), next_cursor=None),
        query={"prefix": "users_", "limit": "20"},
        problems={404: "cursor-not-found"},
    ),
    "get_lineage": OperationCase(
        invoke=lambda client, _: get_lineage(
            client, "users_curated", depth=2, direction="upstream"
        ),
        success=lambda f: f.lineage(direction="upstream", depth=2),
        expected=lambda _: _lineage(),
        query={"table": "users_curated", "depth": "2", "direction": "upstream"},
        problems={404: "table-not-found"},
    ),
    "upload_object": OperationCase(
        invoke=_upload,
        success=lambda f: f.receipt(bucket="artifacts", object=OBJECT_NAME, content=CONTENT),
        expected=lambda _: f"datlake://artifacts/{OBJECT_NAME}",
        path_params={"bucket": "artifacts", "object": OBJECT_NAME},
        # hashed while it streams: the receipt's checksum is compared, none is sent up front
        headers={"Content-Length": str(len(CONTENT))},
        problems={422: "checksum-mismatch"},
    ),
    "download_object": OperationCase(
        invoke=_download,
        success=lambda _: CONTENT,
        success_headers={"X-Checksum-Sha256": CONTENT_SHA256},
        expected=lambda _: OBJECT_INFO,
        path_params={"bucket": "artifacts", "object": OBJECT_NAME},
        check=_downloaded_file_holds_the_bytes,
        problems={404: "object-not-found"},
    ),
    "ingest_openlineage": OperationCase(
        invoke=lambda client, _: ingest_openlineage(client, _OPENLINEAGE_EVENT),
        success=lambda f: f.run(metadata={"source": "s3"}, inputs=[_raw(f)], outputs=[_curated(f)]),
        expected=lambda _: _running_run(inputs=(RAW_INFO,), outputs=(CURATED_INFO,)),
        json=_OPENLINEAGE_EVENT,
        retried=False,  # no idempotency key: the event's ids make it safe, the SDK cannot tell
    ),
    "get_health": OperationCase(
        invoke=lambda client, _: health(client),
        success=lambda f: f.health(version="1.1.0"),
        expected=lambda _: Health("ok", "1.1.0"),
    ),
}


_LOG_OBJECT = f"jobs/daily_users/{RUN_ID}/run.log"

# SDK functions built on one operation of the table: (operation, how the SDK function drives
# it). `tests/sdk/test_operations` runs them like the operations themselves.
BUILT_ON: dict[str, tuple[str, OperationCase]] = {
    "upload_file": (
        "upload_object",
        dataclasses.replace(
            OPERATIONS["upload_object"],
            invoke=lambda client, workdir: upload_file(
                client, "artifacts", OBJECT_NAME, _log_file(workdir)
            ),
            expected=lambda _: OBJECT_INFO,
        ),
    ),
    "make_log_artifact": (
        "upload_object",
        dataclasses.replace(
            OPERATIONS["upload_object"],
            invoke=lambda client, workdir: make_log_artifact(
                client, "artifacts", RUN, _log_file(workdir)
            ),
            success=lambda f: f.receipt(bucket="artifacts", object=_LOG_OBJECT, content=CONTENT),
            expected=lambda _: Artifact(
                "log",
                f"datlake://artifacts/{_LOG_OBJECT}",
                name="run.log",
                content_type="text/plain; charset=utf-8",
                size=len(CONTENT),
                sha256=CONTENT_SHA256,
            ),
            path_params={"bucket": "artifacts", "object": _LOG_OBJECT},
        ),
    ),
}


def fields(value: object) -> object:
    """A domain value with every field, including those a `Run` leaves out of `==`."""
    if attrs.has(type(value)):
        return attrs.asdict(value, recurse=True)  # type: ignore[arg-type]
    return value


# Problem kinds a documented status may carry besides the one the table tests it with:
# (operation, status, kind). Each must become the status's error of `ERRORS` all the same.
OTHER_PROBLEMS: list[tuple[str, int, str]] = [
    ("start_run", 409, "id-conflict"),
    ("register_snapshot", 409, "id-conflict"),
    ("register_snapshot", 409, "idempotency-key-reused"),
    ("fetch_latest_uri", 404, "snapshot-not-found"),
    ("fetch_latest_uri", 404, "run-not-found"),
    ("list_events", 404, "cursor-not-found"),
    ("ingest_openlineage", 409, "id-conflict"),
]


# --- the cases, from the spec ----------------------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def documented_responses(document: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """operationId -> the statuses its responses document, in the spec's order."""
    found: dict[str, tuple[str, ...]] = {}
    for item in document["paths"].values():
        for method in _METHODS:
            op = item.get(method)
            if op is not None:
                found[str(op["operationId"])] = tuple(str(code) for code in op["responses"])
    return found


def success_status(statuses: tuple[str, ...]) -> int:
    """The one documented 2xx status (a test fails if there is not exactly one)."""
    successes = [int(code) for code in statuses if code.startswith("2")]
    assert len(successes) == 1, f"expected exactly one 2xx status, the spec has {statuses}"
    return successes[0]


def error_statuses(statuses: tuple[str, ...]) -> list[int | str]:
    """The documented non-2xx statuses; a range or `default` stays a string (and fails)."""
    return [int(code) if code.isdigit() else code for code in statuses if not code.startswith("2")]


def success_cases(document: Mapping[str, Any]) -> list[str]:
    return sorted(documented_responses(document))


def error_cases(document: Mapping[str, Any]) -> list[tuple[str, int | str]]:
    return sorted(
        (
            (op, status)
            for op, statuses in documented_responses(document).items()
            for status in error_statuses(statuses)
        ),
        key=lambda case: (case[0], str(case[1])),
    )


SPEC = spec_document()
SUCCESS_CASES = success_cases(SPEC)
ERROR_CASES = error_cases(SPEC)


def operation_of(document: Mapping[str, Any], operation_id: str) -> tuple[str, str, JSON]:
    """(method, path template, operation object) of `operation_id` in the spec."""
    for path, item in document["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if op is not None and op["operationId"] == operation_id:
                return method.upper(), path, op
    raise KeyError(operation_id)


def wire_path(operation_id: str, path_params: Mapping[str, str]) -> str:
    """The path as the SDK must send it: each parameter one percent-encoded segment."""
    _, template, _ = operation_of(SPEC, operation_id)
    for name, value in path_params.items():
        template = template.replace(f"{{{name}}}", urllib.parse.quote(value, safe=""))
    return template


def takes_idempotency_key(operation_id: str) -> bool:
    """Whether the spec gives the operation an `Idempotency-Key` header."""
    _, _, op = operation_of(SPEC, operation_id)
    return {"$ref": "#/components/parameters/IdempotencyKey"} in op.get("parameters", [])
