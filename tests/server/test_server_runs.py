"""Runs: their lifecycle, leases, listing, and idempotent creation."""

from __future__ import annotations

import base64
import threading
import time
import uuid

import httpx
import pytest

from .datlake_e2e import (
    all_pages,
    assert_problem,
    complete,
    get_run,
    make_client,
    moment,
    register,
    start,
    unique,
)


def test_start_get_and_complete_a_run(api: httpx.Client) -> None:
    job = unique("daily_users")
    parent = uuid.uuid4().hex
    run = start(api, job, metadata={"source": "s3", "n": [1, 2]}, parent_run_id=parent)
    assert run["status"] == "running"
    assert len(run["run_id"]) == 32
    assert int(run["run_id"], 16) >= 0
    assert run["metadata"] == {"source": "s3", "n": [1, 2]}
    assert run["parent_run_id"] == parent
    assert run["finished_at"] is None
    assert run["last_heartbeat_at"] is None
    # every run holds the server's default lease (an hour) from its start
    lease = moment(run["lease_expires_at"]) - moment(run["created_at"])
    assert lease.total_seconds() == pytest.approx(3600, abs=1)
    assert (run["extra"], run["artifacts"], run["inputs"], run["outputs"]) == ({}, [], [], [])
    assert get_run(api, run) == run

    artifact = {"type": "log", "uri": f"datlake://logs/jobs/{job}/run.log"}
    response = api.put(
        f"/jobs/{job}/runs/{run['run_id']}/complete",
        json={"success": True, "extra": {"rows": 1200}, "artifacts": [artifact]},
    )
    assert response.status_code == 200
    done = response.json()
    assert done["status"] == "succeeded"
    assert done["finished_at"] >= done["created_at"]
    assert done["extra"] == {"rows": 1200}
    assert done["artifacts"] == [artifact]
    assert get_run(api, run) == done


def test_start_run_without_metadata(api: httpx.Client) -> None:
    run = start(api, unique("bare"))
    assert run["metadata"] == {}
    assert run["parent_run_id"] is None


def test_completing_again_with_the_same_outcome_changes_nothing(api: httpx.Client) -> None:
    job = unique("twice")
    run = start(api, job)
    first = complete(api, run, success=False)
    assert first["status"] == "failed"
    again = api.put(
        f"/jobs/{job}/runs/{run['run_id']}/complete",
        json={"success": False, "extra": {"other": True}},
    )
    assert again.status_code == 200
    assert again.json() == first
    flipped = api.put(f"/jobs/{job}/runs/{run['run_id']}/complete", json={"success": True})
    problem = assert_problem(flipped, 409, "run-finished")
    assert run["run_id"] in problem["detail"]
    assert get_run(api, run) == first


def test_a_run_belongs_to_its_job(api: httpx.Client) -> None:
    run = start(api, unique("owner"))
    other = api.get(f"/jobs/{unique('other')}/runs/{run['run_id']}")
    assert_problem(other, 404, "run-not-found")


def test_run_ids_are_unique_across_jobs(api: httpx.Client) -> None:
    ids = {start(api, unique("many"))["run_id"] for _ in range(20)}
    assert len(ids) == 20


def test_a_run_whose_lease_runs_out_is_lost(api: httpx.Client) -> None:
    job = unique("leased")
    never = start(api, job)  # never heartbeats: holds the default lease (an hour), running
    revived = start(api, job)
    abandoned = start(api, job)
    for run in (revived, abandoned):
        response = api.post(
            f"/jobs/{job}/runs/{run['run_id']}/heartbeat", json={"lease_seconds": 1}
        )
        assert response.status_code == 200
        lease = response.json()
        assert lease["status"] == "running"
        assert lease["run_id"] == run["run_id"]
        assert lease["lease_expires_at"] > lease["last_heartbeat_at"]
    # (no get_run check here: on a loaded machine the 1 s lease may already be over)

    # the lease ends 1 s after each heartbeat; wait for the server to say so, however slow
    # the machine, rather than betting on a fixed sleep
    deadline = time.monotonic() + 30
    while get_run(api, revived)["status"] != "lost" or get_run(api, abandoned)["status"] != "lost":
        assert time.monotonic() < deadline, "the 1 s leases never ran out"
        time.sleep(0.1)
    assert get_run(api, revived)["status"] == "lost"
    assert get_run(api, abandoned)["status"] == "lost"
    assert get_run(api, never)["status"] == "running"
    lost = all_pages(api, f"/jobs/{job}/runs", status="lost")
    assert {r["run_id"] for r in lost} == {revived["run_id"], abandoned["run_id"]}
    running = all_pages(api, f"/jobs/{job}/runs", status="running")
    assert [r["run_id"] for r in running] == [never["run_id"]]

    # a heartbeat (here without a body: the default lease) brings a lost run back
    back = api.post(f"/jobs/{job}/runs/{revived['run_id']}/heartbeat")
    assert back.status_code == 200
    assert back.json()["status"] == "running"
    assert get_run(api, revived)["status"] == "running"

    # a lost run can still record its work, post events and complete
    register(api, abandoned, unique("late_table"))
    event = api.post(f"/jobs/{job}/runs/{abandoned['run_id']}/events", json={"kind": "error"})
    assert event.status_code == 201
    assert complete(api, abandoned)["status"] == "succeeded"
    assert get_run(api, abandoned)["status"] == "succeeded"


def test_list_runs_pages_newest_first(api: httpx.Client) -> None:
    job = unique("paged")
    created = [start(api, job)["run_id"] for _ in range(7)]
    pages = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get(f"/jobs/{job}/runs", params=params).json()
        pages.append([run["run_id"] for run in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [run_id for page in pages for run_id in page] == created[::-1]

    default = api.get(f"/jobs/{job}/runs").json()
    assert len(default["items"]) == 7
    assert default["next_cursor"] is None
    exact = api.get(f"/jobs/{job}/runs", params={"limit": 7}).json()
    assert exact["next_cursor"] is None


def test_list_runs_filters_by_status(api: httpx.Client) -> None:
    job = unique("filtered")
    runs = [start(api, job) for _ in range(4)]
    complete(api, runs[0], success=True)
    complete(api, runs[1], success=False)
    succeeded = all_pages(api, f"/jobs/{job}/runs", status="succeeded")
    failed = all_pages(api, f"/jobs/{job}/runs", status="failed", limit=1)
    running = all_pages(api, f"/jobs/{job}/runs", status="running", limit=1)
    assert [r["run_id"] for r in succeeded] == [runs[0]["run_id"]]
    assert [r["run_id"] for r in failed] == [runs[1]["run_id"]]
    assert [r["run_id"] for r in running] == [runs[3]["run_id"], runs[2]["run_id"]]


def test_list_runs_of_an_unknown_job_is_empty(api: httpx.Client) -> None:
    page = api.get(f"/jobs/{unique('nobody')}/runs").json()
    assert page == {"items": [], "next_cursor": None}


def test_a_cursor_of_another_list_is_refused(api: httpx.Client) -> None:
    job = unique("cursor")
    run = start(api, job)
    start(api, job)
    cursor = api.get(f"/jobs/{job}/runs", params={"limit": 1}).json()["next_cursor"]
    events = api.get(f"/jobs/{job}/runs/{run['run_id']}/events", params={"cursor": cursor})
    # any cursor the spec's schema allows is a well-formed request: one this server never
    # issued for this list names no page (404), as an unknown run id names no run
    assert_problem(events, 404, "cursor-not-found")
    assert "cursor" in events.json()["detail"]


@pytest.mark.parametrize(
    "text", ["runs:" + "9" * 30, "runs:-" + "9" * 30, "runs:-1", "runs: 5", "runs:5_0", "runs:05"]
)
def test_a_forged_cursor_is_refused_not_a_server_error(api: httpx.Client, text: str) -> None:
    job = unique("forged")
    start(api, job)
    for cursor in (base64.urlsafe_b64encode(text.encode()).decode().rstrip("="), "0", "%%"):
        response = api.get(f"/jobs/{job}/runs", params={"cursor": cursor})
        assert_problem(response, 404, "cursor-not-found")
    assert "cursor" in response.json()["detail"]


def test_start_run_replays_with_the_same_idempotency_key(api: httpx.Client) -> None:
    job = unique("idem")
    key = str(uuid.uuid4())
    body = {"metadata": {"attempt": 1}}
    first = api.post(f"/jobs/{job}/runs", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    replay = api.post(f"/jobs/{job}/runs", json=body, headers={"Idempotency-Key": key})
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()

    different_body = api.post(
        f"/jobs/{job}/runs", json={"metadata": {"attempt": 2}}, headers={"Idempotency-Key": key}
    )
    assert_problem(different_body, 409, "idempotency-key-reused")
    other_job = api.post(f"/jobs/{job}x/runs", json=body, headers={"Idempotency-Key": key})
    assert_problem(other_job, 409, "idempotency-key-reused")
    assert len(all_pages(api, f"/jobs/{job}/runs")) == 1


def test_concurrent_requests_with_one_key_create_one_run(server_url: str) -> None:
    job = unique("race")
    key = uuid.uuid4().hex
    barrier = threading.Barrier(8)
    answers: list[httpx.Response] = []

    def attempt() -> None:
        with make_client(server_url) as client:
            barrier.wait()
            answers.append(
                client.post(f"/jobs/{job}/runs", json={}, headers={"Idempotency-Key": key})
            )

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["run_id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 7
    with make_client(server_url) as client:
        assert len(all_pages(client, f"/jobs/{job}/runs")) == 1


def test_a_rejected_request_does_not_burn_its_key(api: httpx.Client) -> None:
    job = unique("retry")
    run = start(api, job)
    complete(api, run)
    key = uuid.uuid4().hex
    body = {
        "job_name": job,
        "run_id": run["run_id"],
        "table_name": unique("t"),
        "uri": "file:///t",
        "format": "csv",
    }
    rejected = api.post("/jobs/register-snapshot", json=body, headers={"Idempotency-Key": key})
    assert_problem(rejected, 409, "run-finished")
    again = api.post("/jobs/register-snapshot", json=body, headers={"Idempotency-Key": key})
    assert_problem(again, 409, "run-finished")
    assert "idempotent-replayed" not in again.headers
