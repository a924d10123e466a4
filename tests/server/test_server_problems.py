"""Every client error the spec documents, for every operation, answered as the spec says.

The list of (operation, status) pairs comes from the spec itself, so a status added to the
spec without a case here fails the test rather than going untested.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from datlake_sdk.testing import spec_document

from .datlake_e2e import assert_problem, complete, make_client, register, start, unique

SPEC = spec_document()
DOCUMENTED = sorted(
    (op["operationId"], int(status))
    for item in SPEC["paths"].values()
    for method, op in item.items()
    if isinstance(op, dict) and "operationId" in op
    for status in op["responses"]
    if 400 <= int(status) < 500 and int(status) != 429  # 429: this server never limits
)
MISSING = uuid.uuid4().hex


@dataclass(frozen=True)
class World:
    job: str
    table: str
    running: dict[str, Any]
    finished: dict[str, Any]  # succeeded


def make_world(api: httpx.Client) -> World:
    job, table = unique("problems_job"), unique("problems_table")
    running = start(api, job)
    finished = start(api, job)
    register(api, finished, table)
    complete(api, finished, success=True)
    return World(job, table, running, finished)


@pytest.fixture(scope="module")
def world(server_url: str) -> World:
    """Shared by the error cases, which change nothing it holds."""
    with make_client(server_url) as api:
        return make_world(api)


Request = tuple[str, str, dict[str, Any]]


def valid_request(operation: str, w: World) -> Request:
    """A request of `operation` that succeeds with the right API key."""
    run = f"/jobs/{w.job}/runs/{w.running['run_id']}"
    snapshot = {
        "job_name": w.job,
        "run_id": w.running["run_id"],
        "table_name": w.table,
        "uri": "file:///y",
        "format": "csv",
    }
    return {
        "get_health": ("GET", "/health", {}),
        "start_run": ("POST", f"/jobs/{w.job}/runs", {"json": {}}),
        "list_jobs": ("GET", "/jobs", {"params": {"prefix": w.job}}),
        "list_tables": ("GET", "/tables", {"params": {"prefix": w.table}}),
        "list_runs": ("GET", f"/jobs/{w.job}/runs", {}),
        "get_run": ("GET", run, {}),
        "complete_run": ("PUT", f"{run}/complete", {"json": {"success": True}}),
        "heartbeat": ("POST", f"{run}/heartbeat", {"json": {"lease_seconds": 600}}),
        "post_event": ("POST", f"{run}/events", {"json": {"kind": "progress"}}),
        "list_events": ("GET", f"{run}/events", {}),
        "post_telemetry": ("POST", f"{run}/telemetry", {"json": {"progress": {"done": 1}}}),
        "list_metrics": ("GET", f"{run}/metrics", {}),
        "get_run_log": ("GET", f"{run}/log", {}),
        "register_snapshot": ("POST", "/jobs/register-snapshot", {"json": snapshot}),
        "fetch_latest_uri": ("GET", f"/tables/{w.table}/snapshots/latest", {}),
        "list_snapshots": ("GET", f"/tables/{w.table}/snapshots", {}),
        "get_lineage": ("GET", "/lineage", {"params": {"table": w.table}}),
        "upload_object": ("PUT", "/datasets/problems/a%2Fb.txt", {"content": b"abc"}),
        "download_object": ("GET", "/datasets/problems/a%2Fb.txt", {}),
        "ingest_openlineage": ("POST", "/openlineage", {"json": openlineage_event(w.job)}),
    }[operation]


def openlineage_event(job: str, run_id: str = MISSING) -> Any:
    return {
        "eventType": "START",
        "eventTime": "2026-11-27T01:00:00Z",
        "producer": "urn:test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.UUID(hex=run_id))},
        "job": {"namespace": "test", "name": job},
    }


def _reused_key(api: httpx.Client, w: World) -> httpx.Response:
    key = uuid.uuid4().hex
    first = api.post(f"/jobs/{w.job}/runs", json={}, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    return api.post(
        f"/jobs/{w.job}/runs", json={"metadata": {"x": 1}}, headers={"Idempotency-Key": key}
    )


def call(
    method: str, path: str, *, params: dict[str, Any] | None = None, **options: Any
) -> Callable[[httpx.Client, World], httpx.Response]:
    """A request whose path and query values may name the world's runs: `{w.running[run_id]}`."""

    def send(api: httpx.Client, w: World) -> httpx.Response:
        def fill(value: Any) -> Any:
            return value.format(w=w, MISSING=MISSING) if isinstance(value, str) else value

        query = {name: fill(value) for name, value in (params or {}).items()}
        return api.request(method, fill(path), params=query, **options)

    return send


RUNNING = "/jobs/{w.job}/runs/{w.running[run_id]}"
FINISHED = "/jobs/{w.job}/runs/{w.finished[run_id]}"
UNKNOWN = "/jobs/{w.job}/runs/{MISSING}"

NOT_ISSUED = {"cursor": "bm90LWlzc3VlZA"}  # well-formed, but never a cursor of this server

BAD: dict[tuple[str, int], tuple[Callable[[httpx.Client, World], httpx.Response], str]] = {
    ("get_health", 400): (
        call("GET", "/health", headers={"X-Request-Id": "has space"}),
        "invalid-request",
    ),
    ("start_run", 400): (call("POST", "/jobs/a b/runs", json={}), "invalid-request"),
    ("start_run", 409): (_reused_key, "idempotency-key-reused"),
    ("start_run", 422): (call("POST", "/jobs/{w.job}/runs", json={"metadata": 1}), "invalid-body"),
    ("list_jobs", 400): (call("GET", "/jobs", params={"prefix": "a b"}), "invalid-request"),
    ("list_tables", 400): (call("GET", "/tables", params={"limit": 0}), "invalid-request"),
    ("list_jobs", 404): (call("GET", "/jobs", params=NOT_ISSUED), "cursor-not-found"),
    ("list_tables", 404): (call("GET", "/tables", params=NOT_ISSUED), "cursor-not-found"),
    ("list_runs", 400): (
        call("GET", "/jobs/{w.job}/runs", params={"status": "bogus"}),
        "invalid-request",
    ),
    ("list_runs", 404): (call("GET", "/jobs/{w.job}/runs", params=NOT_ISSUED), "cursor-not-found"),
    ("get_run", 400): (call("GET", "/jobs/{w.job}/runs/bad.id"), "invalid-request"),
    ("get_run", 404): (call("GET", UNKNOWN), "run-not-found"),
    ("complete_run", 400): (
        call("PUT", "/jobs/-bad/runs/{w.running[run_id]}/complete", json={"success": True}),
        "invalid-request",
    ),
    ("complete_run", 404): (
        call("PUT", UNKNOWN + "/complete", json={"success": True}),
        "run-not-found",
    ),
    ("complete_run", 409): (
        call("PUT", FINISHED + "/complete", json={"success": False}),
        "run-finished",
    ),
    ("complete_run", 422): (call("PUT", RUNNING + "/complete", json={}), "invalid-body"),
    ("heartbeat", 400): (call("POST", "/jobs/{w.job}/runs/x%2Fy/heartbeat"), "invalid-request"),
    ("heartbeat", 404): (call("POST", UNKNOWN + "/heartbeat"), "run-not-found"),
    ("heartbeat", 409): (call("POST", FINISHED + "/heartbeat"), "run-finished"),
    ("heartbeat", 422): (
        call("POST", RUNNING + "/heartbeat", json={"lease_seconds": 0}),
        "invalid-body",
    ),
    ("post_event", 400): (
        call("POST", "/jobs/a!b/runs/{w.running[run_id]}/events", json={"kind": "metric"}),
        "invalid-request",
    ),
    ("post_event", 404): (
        call("POST", UNKNOWN + "/events", json={"kind": "error"}),
        "run-not-found",
    ),
    ("post_event", 409): (
        call("POST", FINISHED + "/events", json={"kind": "error"}),
        "run-finished",
    ),
    ("post_event", 422): (
        call("POST", RUNNING + "/events", json={"kind": "bogus"}),
        "invalid-body",
    ),
    ("list_events", 400): (
        call("GET", RUNNING + "/events", params={"limit": 501}),
        "invalid-request",
    ),
    ("list_events", 404): (call("GET", UNKNOWN + "/events"), "run-not-found"),
    ("post_telemetry", 400): (
        call("POST", "/jobs/a!b/runs/{w.running[run_id]}/telemetry", json={}),
        "invalid-request",
    ),
    ("post_telemetry", 404): (call("POST", UNKNOWN + "/telemetry", json={}), "run-not-found"),
    ("post_telemetry", 409): (call("POST", FINISHED + "/telemetry", json={}), "run-finished"),
    ("post_telemetry", 422): (
        call("POST", RUNNING + "/telemetry", json={"metrics": [{"name": "x"}]}),
        "invalid-body",
    ),
    ("list_metrics", 400): (
        call("GET", RUNNING + "/metrics", params={"name": "-bad"}),
        "invalid-request",
    ),
    ("list_metrics", 404): (call("GET", UNKNOWN + "/metrics"), "run-not-found"),
    ("get_run_log", 400): (
        call("GET", RUNNING + "/log", params={"from_chunk": -1}),
        "invalid-request",
    ),
    ("get_run_log", 404): (call("GET", UNKNOWN + "/log"), "run-not-found"),
    ("register_snapshot", 400): (
        lambda api, w: api.post(
            "/jobs/register-snapshot",
            json=valid_request("register_snapshot", w)[2]["json"],
            headers={"Idempotency-Key": "has a space"},
        ),
        "invalid-request",
    ),
    ("register_snapshot", 404): (
        lambda api, w: api.post(
            "/jobs/register-snapshot",
            json={**valid_request("register_snapshot", w)[2]["json"], "run_id": MISSING},
        ),
        "run-not-found",
    ),
    ("register_snapshot", 409): (
        lambda api, w: api.post(
            "/jobs/register-snapshot",
            json={
                **valid_request("register_snapshot", w)[2]["json"],
                "run_id": w.finished["run_id"],
            },
        ),
        "run-finished",
    ),
    ("register_snapshot", 422): (
        call("POST", "/jobs/register-snapshot", json={"job_name": "j", "run_id": "r"}),
        "invalid-body",
    ),
    ("ingest_openlineage", 400): (
        lambda api, w: api.post(
            "/openlineage", json=openlineage_event(w.job), headers={"X-Request-Id": "a b"}
        ),
        "invalid-request",
    ),
    ("ingest_openlineage", 409): (
        # the world's running run, named by a job it does not belong to
        lambda api, w: api.post(
            "/openlineage", json=openlineage_event("another_job", run_id=w.running["run_id"])
        ),
        "id-conflict",
    ),
    ("ingest_openlineage", 422): (
        call("POST", "/openlineage", json={"eventType": "START"}),
        "invalid-body",
    ),
    ("fetch_latest_uri", 400): (
        call("GET", "/tables/{w.table}/snapshots/latest", params={"run_id": "bad.id"}),
        "invalid-request",
    ),
    ("fetch_latest_uri", 404): (
        call("GET", "/tables/no_such_table/snapshots/latest"),
        "table-not-found",
    ),
    ("fetch_latest_uri", 409): (
        call(
            "GET", "/tables/{w.table}/snapshots/latest", params={"run_id": "{w.finished[run_id]}"}
        ),
        "run-finished",
    ),
    ("list_snapshots", 400): (
        call("GET", "/tables/{w.table}/snapshots", params={"limit": 0}),
        "invalid-request",
    ),
    ("list_snapshots", 404): (
        call("GET", "/tables/{w.table}/snapshots", params=NOT_ISSUED),
        "cursor-not-found",
    ),
    ("get_lineage", 400): (
        call("GET", "/lineage", params={"table": "{w.table}", "depth": 11}),
        "invalid-request",
    ),
    ("get_lineage", 404): (
        call("GET", "/lineage", params={"table": "no_such_table"}),
        "table-not-found",
    ),
    ("upload_object", 400): (call("PUT", "/datasets/UPPER/a", content=b"x"), "invalid-request"),
    ("upload_object", 422): (
        call("PUT", "/datasets/problems/c", content=b"x", headers={"X-Checksum-Sha256": "0" * 64}),
        "checksum-mismatch",
    ),
    ("download_object", 400): (call("GET", "/datasets/problems/a%2F%2Fb"), "invalid-request"),
    ("download_object", 404): (call("GET", "/datasets/problems/missing"), "object-not-found"),
}


def test_every_case_is_a_documented_status() -> None:
    documented = set(DOCUMENTED)
    assert set(BAD) <= documented
    assert {pair for pair in documented if pair[1] != 401} == set(BAD)


@pytest.mark.parametrize(("operation", "status"), DOCUMENTED)
def test_documented_client_error(
    api: httpx.Client, anonymous: httpx.Client, world: World, operation: str, status: int
) -> None:
    if status == 401:
        method, path, options = valid_request(operation, world)
        assert_problem(anonymous.request(method, path, **options), 401, "unauthorized")
        wrong = {"Authorization": "Bearer not-the-key"}
        assert_problem(
            anonymous.request(method, path, headers=wrong, **options), 401, "unauthorized"
        )
        return
    send, kind = BAD[operation, status]
    assert_problem(send(api, world), status, kind)


@pytest.mark.parametrize("operation", sorted({op for op, _ in DOCUMENTED}))
def test_the_requests_behind_the_401_cases_succeed(api: httpx.Client, operation: str) -> None:
    if operation == "download_object":
        api.put("/datasets/problems/a%2Fb.txt", content=b"abc")
    method, path, options = valid_request(operation, make_world(api))
    response = api.request(method, path, **options)
    assert response.status_code < 300, response.text
