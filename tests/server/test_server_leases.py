"""Leases: every run holds one from its start, so a job that dies silently leaves a `lost` run,
not a `running` one forever; heartbeats replace it; replays do not extend it; a lost run can
still complete, and a completed run is final.

The servers here give runs a 1 s default lease. The tests wait for the server to report what
they expect (bounded by a deadline), never for a fixed time that a slow machine could outrun.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

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

Served = Callable[..., AbstractContextManager[str]]


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def lease_of(run: dict[str, Any]) -> float:
    """The seconds from the run's start to the end of its lease."""
    return (moment(run["lease_expires_at"]) - moment(run["created_at"])).total_seconds()


def wait_until_lost(api: httpx.Client, run: dict[str, Any]) -> dict[str, Any]:
    wait_until(lambda: get_run(api, run)["status"] == "lost", f"run {run['run_id']} to be lost")
    return get_run(api, run)


def test_a_run_nobody_heartbeats_is_lost_once_the_default_lease_runs_out(served: Served) -> None:
    with served(default_lease_seconds=1) as url, make_client(url) as api:
        job = unique("silent")
        # as a job killed with kill -9 right after its start would leave it: whichever client
        # started it (a plain one here, or one choosing its run id), it never says more
        plain = start(api, job)
        chosen = start(api, job, run_id=uuid.uuid4().hex)
        for run in (plain, chosen):
            assert run["status"] == "running"
            assert run["last_heartbeat_at"] is None
            assert lease_of(run) == pytest.approx(1, abs=0.01)
        for run in (plain, chosen):
            lost = wait_until_lost(api, run)
            assert lost["lease_expires_at"] == run["lease_expires_at"]
            assert lost["finished_at"] is None
        ids = {plain["run_id"], chosen["run_id"]}
        assert {r["run_id"] for r in all_pages(api, f"/jobs/{job}/runs", status="lost")} == ids
        assert all_pages(api, f"/jobs/{job}/runs", status="running") == []


def test_the_default_lease_is_an_hour(api: httpx.Client) -> None:
    run = start(api, unique("hour"))
    assert lease_of(run) == pytest.approx(3600, abs=0.01)
    assert get_run(api, run)["status"] == "running"


def test_a_heartbeat_lease_replaces_the_default_one(served: Served) -> None:
    job = unique("beating")
    # shorter than the default: the run is lost when the heartbeat's lease ends
    with served() as url, make_client(url) as api:
        run = start(api, job)
        assert lease_of(run) == pytest.approx(3600, abs=0.01)
        beat = api.post(f"/jobs/{job}/runs/{run['run_id']}/heartbeat", json={"lease_seconds": 1})
        assert beat.status_code == 200, beat.text
        lease = beat.json()
        gap = moment(lease["lease_expires_at"]) - moment(lease["last_heartbeat_at"])
        assert gap.total_seconds() == pytest.approx(1, abs=0.01)
        assert lease["lease_expires_at"] < run["lease_expires_at"]
        lost = wait_until_lost(api, run)
        assert lost["lease_expires_at"] == lease["lease_expires_at"]
        assert lost["last_heartbeat_at"] == lease["last_heartbeat_at"]

    # longer than the default: the run outlives the default lease
    with served(default_lease_seconds=1) as url, make_client(url) as api:
        run = start(api, job)
        beat = api.post(f"/jobs/{job}/runs/{run['run_id']}/heartbeat", json={"lease_seconds": 60})
        assert beat.status_code == 200, beat.text
        default_end = moment(run["lease_expires_at"]).timestamp()
        wait_until(lambda: time.time() > default_end + 0.2, "the default lease to be over")
        after = get_run(api, run)
        assert after["status"] == "running"
        assert after["lease_expires_at"] == beat.json()["lease_expires_at"]


def test_a_replayed_start_neither_resets_nor_extends_the_lease(served: Served) -> None:
    with served(default_lease_seconds=1) as url, make_client(url) as api:
        job = unique("replayed")
        body = {"run_id": uuid.uuid4().hex, "metadata": {"n": 1}}
        key = {"Idempotency-Key": uuid.uuid4().hex}
        first = start(api, job, **body)
        keyed = api.post(f"/jobs/{job}/runs", json={"metadata": {"k": 1}}, headers=key)
        assert keyed.status_code == 201, keyed.text

        replay = api.post(f"/jobs/{job}/runs", json=body)
        assert replay.status_code == 201
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.json()["lease_expires_at"] == first["lease_expires_at"]

        wait_until_lost(api, first)
        wait_until_lost(api, keyed.json())
        # replayed once lost, they answer the run as it is: lost, its lease where it was
        late = api.post(f"/jobs/{job}/runs", json=body)
        assert late.status_code == 201
        assert late.json()["status"] == "lost"
        assert late.json()["lease_expires_at"] == first["lease_expires_at"]
        keyed_late = api.post(f"/jobs/{job}/runs", json={"metadata": {"k": 1}}, headers=key)
        assert keyed_late.status_code == 201
        assert keyed_late.headers["idempotent-replayed"] == "true"
        assert keyed_late.json()["lease_expires_at"] == keyed.json()["lease_expires_at"]
        assert get_run(api, first)["status"] == "lost"
        assert get_run(api, keyed.json())["status"] == "lost"
        assert len(all_pages(api, f"/jobs/{job}/runs")) == 2


@pytest.mark.parametrize("success", [True, False])
def test_completing_a_lost_run_records_the_outcome_which_is_final(
    served: Served, success: bool
) -> None:
    outcome = "succeeded" if success else "failed"
    with served(default_lease_seconds=1) as url, make_client(url) as api:
        job = unique("late")
        run = start(api, job)
        path = f"/jobs/{job}/runs/{run['run_id']}"
        wait_until_lost(api, run)

        # the job was alive after all (a partition, a long pause): its outcome is recorded
        artifact = {"type": "log", "uri": f"datlake://logs/jobs/{job}/run.log"}
        body = {"success": success, "extra": {"rows": 7}, "artifacts": [artifact]}
        response = api.put(f"{path}/complete", json=body)
        assert response.status_code == 200, response.text
        done = response.json()
        assert done["status"] == outcome
        assert done["finished_at"] is not None
        assert (done["extra"], done["artifacts"]) == ({"rows": 7}, [artifact])
        assert get_run(api, run) == done
        assert all_pages(api, f"/jobs/{job}/runs", status="lost") == []
        assert [r["run_id"] for r in all_pages(api, f"/jobs/{job}/runs", status=outcome)] == [
            run["run_id"]
        ]

        # final: the same outcome again changes nothing, anything else is run-finished
        again = api.put(f"{path}/complete", json={"success": success, "extra": {"other": 1}})
        assert again.status_code == 200
        assert again.json() == done
        flipped = api.put(f"{path}/complete", json={"success": not success})
        assert_problem(flipped, 409, "run-finished")
        assert_problem(api.post(f"{path}/heartbeat", json={}), 409, "run-finished")
        assert_problem(api.post(f"{path}/events", json={"kind": "progress"}), 409, "run-finished")
        late_write = api.post(
            "/jobs/register-snapshot",
            json={"job_name": job, "run_id": run["run_id"], "table_name": unique("t"),
                  "uri": "file:///t", "format": "csv"},
        )  # fmt: skip
        assert_problem(late_write, 409, "run-finished")
        assert get_run(api, run) == done


def test_a_lost_run_that_heartbeats_is_running_again(served: Served) -> None:
    with served(default_lease_seconds=1) as url, make_client(url) as api:
        job = unique("revived")
        run = start(api, job)
        wait_until_lost(api, run)
        beat = api.post(f"/jobs/{job}/runs/{run['run_id']}/heartbeat", json={"lease_seconds": 60})
        assert beat.status_code == 200, beat.text
        assert beat.json()["status"] == "running"
        assert get_run(api, run)["status"] == "running"
        register(api, run, unique("out"))
        assert complete(api, run)["status"] == "succeeded"


def test_runs_of_an_older_server_without_a_lease_get_one_from_their_start(
    served: Served, tmp_path: Path
) -> None:
    # runs a server recorded before every run got a lease: running, lease null
    with served() as url, make_client(url) as api:
        job = unique("legacy")
        orphan = start(api, job)
        finished = start(api, job)
        complete(api, finished)
    with sqlite3.connect(tmp_path / "data" / "datlake.db") as conn:
        conn.execute("UPDATE runs SET lease_expires_at = NULL")
    conn.close()

    with served(default_lease_seconds=1) as url, make_client(url) as api:
        # the default lease counts from the run's start
        reopened = get_run(api, orphan)
        assert lease_of(reopened) == pytest.approx(1, abs=0.01)
        wait_until_lost(api, orphan)
        assert get_run(api, finished)["status"] == "succeeded"
        assert get_run(api, finished)["lease_expires_at"] is None
