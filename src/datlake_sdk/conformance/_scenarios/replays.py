"""Replays: the same Idempotency-Key, or the same client-chosen id, answers the first write
again (`Idempotent-Replayed: true`); with other content, a 409."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from .._probe import CheckFailed, Probe, expect_json, expect_problem, expect_status
from .._registry import scenario


def _client_id() -> str:
    """An id as the SDK makes them: 32 lowercase hex digits."""
    return uuid.uuid4().hex


def _expect_replayed(response: httpx.Response, what: str) -> None:
    if response.headers.get("idempotent-replayed") != "true":
        raise CheckFailed(f"{what} did not answer Idempotent-Replayed: true")


def _replayed_by_key(
    probe: Probe, path: str, body: dict[str, Any], what: str, status: int = 201
) -> tuple[dict[str, Any], str]:
    """POST `body` twice with one Idempotency-Key: fails unless the second answer is the
    first again, marked as a replay; returns the first answer and the key."""
    key = f"conf-{uuid.uuid4()}"
    headers = {"Idempotency-Key": key}
    responses = [probe.send("POST", path, json=body, headers=headers) for _ in range(2)]
    first, replay = (expect_json(r, status, what) for r in responses)
    if replay != first:
        raise CheckFailed(
            f"{what} replayed with the same Idempotency-Key answered {replay}, expected {first}"
        )
    _expect_replayed(responses[1], f"{what} replayed with its Idempotency-Key")
    return first, key


@scenario
def start_run_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same run; same key, another body: 409 idempotency-key-reused."""
    job = probe.name("conf-idem")
    path = f"/jobs/{job}/runs"
    first, key = _replayed_by_key(probe, path, {"metadata": {"n": 1}}, "start_run")
    other = probe.send("POST", path, json={"metadata": {"n": 2}}, headers={"Idempotency-Key": key})
    expect_problem(
        other, 409, "idempotency-key-reused", "start_run reusing a key with another body"
    )
    probe.finish(job, first["run_id"])


@scenario
def register_snapshot_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same snapshot, and the table has one snapshot."""
    job, table = probe.name("conf-idem-snap"), probe.name("conf-t-idem")
    run_id = probe.start_run(job)["run_id"]
    body = {"job_name": job, "run_id": run_id, "table_name": table, "format": "csv",
            "uri": f"file:///conformance/{table}/part-0.csv"}  # fmt: skip
    _replayed_by_key(probe, "/jobs/register-snapshot", body, "register_snapshot")
    count = len(probe.all_items(f"/tables/{table}/snapshots", "list_snapshots"))
    if count != 1:
        raise CheckFailed(f"the table has {count} snapshots after a replay, expected 1")
    probe.finish(job, run_id)


@scenario
def start_run_client_id_replay(probe: Probe) -> None:
    """A start with a chosen run_id creates that run; sent again (even after the run
    completed) it answers the same run; with other content it is 409 id-conflict."""
    job, run_id = probe.name("conf-id-run"), _client_id()
    body = {"run_id": run_id, "metadata": {"n": 1}}
    first = probe.start_run(job, body)
    if first.get("run_id") != run_id:
        raise CheckFailed(f"start_run with run_id {run_id} created run {first.get('run_id')}")
    path = f"/jobs/{job}/runs"
    replay = probe.send("POST", path, json=body)
    replayed = expect_json(replay, 201, "start_run replayed with its run_id")
    if replayed.get("run_id") != run_id:
        raise CheckFailed(f"a replayed start answered run {replayed.get('run_id')}, not {run_id}")
    _expect_replayed(replay, "start_run replayed with its run_id")
    runs = expect_json(probe.send("GET", path), 200, "list_runs").get("items") or []
    if len(runs) != 1:
        raise CheckFailed(f"the job has {len(runs)} runs after a replayed start, expected 1")
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    late = expect_json(probe.send("POST", path, json=body), 201, "start_run replayed late")
    if late.get("status") != "succeeded":
        raise CheckFailed(
            f"a start replayed after completion answered status {late.get('status')!r}, "
            "expected the completed run ('succeeded')"
        )
    other = probe.send("POST", path, json={"run_id": run_id, "metadata": {"n": 2}})
    expect_problem(other, 409, "id-conflict", "start_run reusing a run_id with other metadata")


@scenario
def register_snapshot_client_id_replay(probe: Probe) -> None:
    """A registration with a chosen snapshot_id sent again (even after the run finished)
    answers the same snapshot, once in the table; with other content it is 409 id-conflict."""
    job, table, snapshot_id = probe.name("conf-id-snap"), probe.name("conf-t-id"), _client_id()
    run_id = probe.start_run(job)["run_id"]
    uri = f"file:///conformance/{table}/part-0.csv"

    def send(**changes: str) -> httpx.Response:
        fields = {"uri": uri, "snapshot_id": snapshot_id, **changes}
        return probe.register_snapshot(job, run_id, table, **fields)

    first = expect_json(send(), 201, "register_snapshot with a snapshot_id")
    if first.get("snapshot_id") != snapshot_id:
        raise CheckFailed(
            f"register_snapshot with snapshot_id {snapshot_id} created {first.get('snapshot_id')}"
        )
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    replay = send()
    replayed = expect_json(replay, 201, "register_snapshot replayed after the run finished")
    if replayed.get("snapshot_id") != snapshot_id:
        raise CheckFailed(
            f"a replayed registration answered {replayed.get('snapshot_id')}, not {snapshot_id}"
        )
    _expect_replayed(replay, "register_snapshot replayed with its snapshot_id")
    page = expect_json(probe.send("GET", f"/tables/{table}/snapshots"), 200, "list_snapshots")
    if len(page.get("items") or []) != 1:
        raise CheckFailed(
            f"the table has {len(page.get('items') or [])} snapshots after a replay, expected 1"
        )
    expect_problem(
        send(uri=f"{uri}.other"),
        409,
        "id-conflict",
        "register_snapshot reusing a snapshot_id with another uri",
    )


@scenario
def post_event_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same event, recorded once."""
    job = probe.name("conf-idem-event")
    run_id = probe.start_run(job)["run_id"]
    path = f"/jobs/{job}/runs/{run_id}/events"
    _replayed_by_key(probe, path, {"kind": "metric", "data": {"rows": 1}}, "post_event")
    count = len(probe.all_items(path, "list_events"))
    if count != 1:
        raise CheckFailed(f"the run has {count} events after a replay, expected 1")
    probe.finish(job, run_id)


@scenario
def heartbeat_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the first lease again, marked as a replay."""
    job = probe.name("conf-idem-beat")
    run_id = probe.start_run(job)["run_id"]
    path = f"/jobs/{job}/runs/{run_id}/heartbeat"
    _replayed_by_key(probe, path, {"lease_seconds": 600}, "heartbeat", status=200)
    probe.finish(job, run_id)
