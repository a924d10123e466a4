"""Replays: the same Idempotency-Key, or the same client-chosen id, answers the first write
again (`Idempotent-Replayed: true`); with other content, a 409."""

from __future__ import annotations

import uuid

import httpx

from .._probe import CheckFailed, Probe, expect_json, expect_problem, expect_status
from .._registry import scenario


def _client_id() -> str:
    """An id as the SDK makes them: 32 lowercase hex digits."""
    return uuid.uuid4().hex


def _expect_replayed(response: httpx.Response, what: str) -> None:
    if response.headers.get("idempotent-replayed") != "true":
        raise CheckFailed(f"{what} did not answer Idempotent-Replayed: true")


@scenario
def start_run_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same run; same key, another body: 409 idempotency-key-reused."""
    job, key = probe.name("conf-idem"), f"conf-{uuid.uuid4()}"
    responses = [
        probe.send("POST", f"/jobs/{job}/runs", json={"metadata": {"n": 1}},
                   headers={"Idempotency-Key": key})
        for _ in range(2)
    ]  # fmt: skip
    first, replay = (expect_json(r, 201, "start_run") for r in responses)
    if replay["run_id"] != first["run_id"]:
        raise CheckFailed(
            f"a replay with the same Idempotency-Key created run {replay['run_id']}, "
            f"expected {first['run_id']}"
        )
    _expect_replayed(responses[1], "start_run replayed with its Idempotency-Key")
    other = probe.send(
        "POST", f"/jobs/{job}/runs", json={"metadata": {"n": 2}}, headers={"Idempotency-Key": key}
    )
    expect_problem(
        other, 409, "idempotency-key-reused", "start_run reusing a key with another body"
    )
    probe.finish(job, first["run_id"])


@scenario
def register_snapshot_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same snapshot, and the table has one snapshot."""
    job, table, key = (
        probe.name("conf-idem-snap"),
        probe.name("conf-t-idem"),
        f"conf-{uuid.uuid4()}",
    )
    run = probe.start_run(job)
    uri = f"file:///conformance/{table}/part-0.csv"
    responses = [
        probe.register_snapshot(job, run["run_id"], table, uri=uri, key=key) for _ in range(2)
    ]
    first, replay = (expect_json(r, 201, "register_snapshot") for r in responses)
    if replay["snapshot_id"] != first["snapshot_id"]:
        raise CheckFailed(
            f"a replay with the same Idempotency-Key created snapshot {replay['snapshot_id']}, "
            f"expected {first['snapshot_id']}"
        )
    _expect_replayed(responses[1], "register_snapshot replayed with its Idempotency-Key")
    page = expect_json(probe.send("GET", f"/tables/{table}/snapshots"), 200, "list_snapshots")
    if len(page.get("items", [])) != 1:
        raise CheckFailed(
            f"the table has {len(page.get('items', []))} snapshots after a replay, expected 1"
        )
    probe.finish(job, run["run_id"])


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
    job, key = probe.name("conf-idem-event"), f"conf-{uuid.uuid4()}"
    run = probe.start_run(job)
    path = f"/jobs/{job}/runs/{run['run_id']}/events"
    body = {"kind": "metric", "data": {"rows": 1}}
    responses = [
        probe.send("POST", path, json=body, headers={"Idempotency-Key": key}) for _ in range(2)
    ]
    first, replay = (expect_json(r, 201, "post_event") for r in responses)
    if replay["event_id"] != first["event_id"]:
        raise CheckFailed(
            f"a replay with the same Idempotency-Key recorded event {replay['event_id']}, "
            f"expected {first['event_id']}"
        )
    _expect_replayed(responses[1], "post_event replayed with its Idempotency-Key")
    page = expect_json(probe.send("GET", path), 200, "list_events")
    if len(page.get("items", [])) != 1:
        raise CheckFailed(f"the run has {len(page.get('items', []))} events after a replay")
    probe.finish(job, run["run_id"])


@scenario
def heartbeat_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the first lease again, marked as a replay."""
    job, key = probe.name("conf-idem-beat"), f"conf-{uuid.uuid4()}"
    run_id = probe.start_run(job)["run_id"]
    path = f"/jobs/{job}/runs/{run_id}/heartbeat"
    responses = [
        probe.send("POST", path, json={"lease_seconds": 600}, headers={"Idempotency-Key": key})
        for _ in range(2)
    ]
    first, replay = (expect_json(r, 200, "heartbeat") for r in responses)
    _expect_replayed(responses[1], "heartbeat replayed with its Idempotency-Key")
    if replay != first:
        raise CheckFailed(f"a replayed heartbeat answered {replay}, expected {first}")
    probe.finish(job, run_id)
