"""What holds for every operation: health, request ids, auth, and the documented 400, 404 and
422 answers. Auth and 400 are made from the spec (`_spec_requests`): an operation the spec
gains is checked without a line here."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import httpx

from ..._contract import operations
from .._probe import (
    CheckFailed,
    CheckSkipped,
    Probe,
    expect_equal,
    expect_json,
    expect_problem,
    expect_status,
)
from .._registry import scenario
from .._spec_requests import (
    SpecRequest,
    broken_requests,
    documented_statuses,
    parameters,
    sample_request,
)


@scenario
def health_without_auth(probe: Probe) -> None:
    """GET /health answers 200 `{"status": "ok", "version": ...}` without an API key."""
    body = expect_json(probe.send("GET", "/health", authenticated=False), 200, "get_health")
    expect_equal(body.get("status"), "ok", "get_health's status")


@scenario
def request_ids_echoed(probe: Probe) -> None:
    """Every answer, errors included, echoes the client's X-Request-Id (the probe checks it on
    every exchange); without one the server makes its own, and a problem carries it."""
    job = probe.name("conf-rid")
    run = probe.start_run(job)
    probe.finish(job, run["run_id"])
    unknown = f"/jobs/{job}/runs/{uuid.uuid4().hex}"
    expect_problem(probe.send("GET", unknown), 404, "run-not-found", "get_run of an unknown run")
    # without one, the probe checks that the answer has one, and that the problem carries it
    response = probe.send("GET", unknown, request_id=False)
    expect_problem(response, 404, "run-not-found", "get_run without an X-Request-Id")


def _require_auth(probe: Probe) -> None:
    if not probe.api_key:
        raise CheckSkipped("skipped: server runs without auth (no --api-key given)")


def _send(
    probe: Probe,
    request: SpecRequest,
    headers: dict[str, str] | None = None,
    authenticated: bool = True,
) -> httpx.Response:
    return probe.send(
        request.method, request.path, params=request.params,
        headers=request.headers if headers is None else headers,
        authenticated=authenticated, **request.body,
    )  # fmt: skip


@scenario
def auth_on_every_secured_operation(probe: Probe) -> None:
    """Each operation the spec secures answers 401 unauthorized without an API key and with a
    wrong one; the others answer without a key."""
    _require_auth(probe)
    for op in operations():
        request = sample_request(op, probe.name("conf-auth"))
        if not op.secured:
            if _send(probe, request, authenticated=False).status_code == 401:
                raise CheckFailed(f"{op.id} needs no API key in the spec, but answered 401")
            continue
        wrong = {**request.headers, "Authorization": f"Bearer wrong-{uuid.uuid4().hex}"}
        for what, response in (
            ("without an API key", _send(probe, request, authenticated=False)),
            ("with a wrong API key", _send(probe, request, headers=wrong)),
        ):
            expect_problem(response, 401, "unauthorized", f"{op.id} {what}")


@scenario
def malformed_requests_are_400(probe: Probe) -> None:
    """Each parameter the spec constrains (name patterns, bounds, enums, lengths), sent with a
    value it refuses, is 400 invalid-request on every operation that documents 400."""
    for op in operations():
        if 400 not in documented_statuses(op):
            continue
        for where, request in broken_requests(op, probe.name("conf-bad")):
            expect_problem(
                _send(probe, request), 400, "invalid-request", f"{op.id} with a bad {where}"
            )


@scenario
def unknown_resources_are_404(probe: Probe) -> None:
    """Unknown runs (or a run asked for under another job), tables, snapshots and objects
    are 404 with the problem type naming what is missing; lists of unknown jobs and tables
    are empty, not 404."""
    job, table = probe.name("conf-404"), probe.name("conf-t-404")
    nobody = uuid.uuid4().hex
    run_id = probe.start_run(job)["run_id"]
    probe.write(job, run_id, table)
    other_job = f"/jobs/{probe.name('conf-404-other')}/runs/{run_id}"
    missing_run = f"/jobs/{job}/runs/{nobody}"
    cases = [
        ("get_run of an unknown run", "GET", missing_run, {}, "run-not-found"),
        ("get_run under another job", "GET", other_job, {}, "run-not-found"),
        ("complete_run of an unknown run", "PUT", f"{missing_run}/complete",
         {"json": {"success": True}}, "run-not-found"),
        ("heartbeat of an unknown run", "POST", f"{missing_run}/heartbeat",
         {"json": {"lease_seconds": 60}}, "run-not-found"),
        ("post_event on an unknown run", "POST", f"{missing_run}/events",
         {"json": {"kind": "progress"}}, "run-not-found"),
        ("list_events of an unknown run", "GET", f"{missing_run}/events", {}, "run-not-found"),
        ("register_snapshot for an unknown run", "POST", "/jobs/register-snapshot",
         {"json": {"job_name": job, "run_id": nobody, "table_name": table, "uri": "file:///x",
                   "format": "csv"}}, "run-not-found"),
        ("fetch_latest_uri of a table without snapshots", "GET",
         f"/tables/{probe.name('conf-t-none')}/snapshots/latest", {}, "table-not-found"),
        ("fetch_latest_uri for an unknown run", "GET", f"/tables/{table}/snapshots/latest",
         {"params": {"run_id": nobody}}, "run-not-found"),
        ("fetch_latest_uri of an unknown snapshot", "GET", f"/tables/{table}/snapshots/latest",
         {"params": {"snapshot_id": nobody}}, "snapshot-not-found"),
        ("get_lineage of a table without snapshots", "GET", "/lineage",
         {"params": {"table": probe.name("conf-t-none")}}, "table-not-found"),
        ("download_object of an unknown object", "GET",
         probe.object_path("conformance", probe.name("conf-none/x.bin")), {}, "object-not-found"),
    ]  # fmt: skip
    for what, method, path, options, kind in cases:
        expect_problem(probe.send(method, path, **options), 404, kind, what)  # type: ignore[arg-type]
    for what, path in (
        ("list_runs of an unknown job", f"/jobs/{probe.name('conf-none')}/runs"),
        ("list_snapshots of an unknown table", f"/tables/{probe.name('conf-none')}/snapshots"),
    ):
        expect_equal(expect_json(probe.send("GET", path), 200, what)["items"], [], what)
    probe.finish(job, run_id)


@scenario
def invalid_bodies_are_422(probe: Probe) -> None:
    """A JSON body the schema refuses is 422 invalid-body, on every operation with one."""
    job = probe.name("conf-422")
    run_id = probe.start_run(job)["run_id"]
    run = f"/jobs/{job}/runs/{run_id}"
    cases = [
        ("start_run with metadata not an object", "POST", f"/jobs/{job}/runs",
         {"metadata": "not an object"}),
        ("complete_run without success", "PUT", f"{run}/complete", {"extra": {}}),
        ("heartbeat with lease_seconds 0", "POST", f"{run}/heartbeat", {"lease_seconds": 0}),
        ("post_event of an unknown kind", "POST", f"{run}/events", {"kind": "gossip"}),
        ("register_snapshot without a uri", "POST", "/jobs/register-snapshot",
         {"job_name": job, "run_id": run_id, "table_name": probe.name("conf-t-422"),
          "format": "csv"}),
    ]  # fmt: skip
    for what, method, path, body in cases:
        expect_problem(probe.send(method, path, json=body), 422, "invalid-body", what)
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")


@scenario
def cursors_never_issued_are_404(probe: Probe) -> None:
    """Every list of the spec (each operation with a `cursor`) answers a cursor it never
    issued with 404 `cursor-not-found`, for a job, run and table that exist."""
    job, table = probe.name("conf-cursor"), probe.name("conf-t-cursor")
    run_id = probe.start_run(job)["run_id"]
    probe.write(job, run_id, table)
    known = {"job_name": job, "run_id": run_id, "table": table, "table_name": table}
    for op in operations():
        names = {p["name"]: p["in"] for p in parameters(op)}
        if names.get("cursor") != "query":
            continue
        request = sample_request(op, probe.name("conf-c"))
        path = op.template.removeprefix("/api/v1")
        for name, where in names.items():
            if where == "path":
                path = path.replace(f"{{{name}}}", quote(known[name], safe=""))
        params = {**request.params, "cursor": f"never-issued-{uuid.uuid4().hex}"}
        response = probe.send(op.method, path, params=params)
        expect_problem(response, 404, "cursor-not-found", f"{op.id} with a cursor never issued")
    probe.finish(job, run_id)
